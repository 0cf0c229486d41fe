// Checks that a user id given as an account's manager or CSM names an active user of that role.
import { findUserById } from "../db/repositories/users.repository.ts";
import { type FieldProblem, validationError } from "../domain/errors.ts";
import type { StaffRole } from "../domain/staff.ts";
import type { Db } from "./context.ts";

export async function checkStaffReferences(
  db: Db,
  refs: { field: string; userId: string | null | undefined; role: StaffRole }[],
): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const ref of refs) {
    if (!ref.userId) continue;
    const user = await findUserById(db, ref.userId);
    if (!user?.active) problems.push({ field: ref.field, message: "is not an active user" });
    else if (user.role !== ref.role)
      problems.push({ field: ref.field, message: `must be a user with the ${ref.role} role` });
  }
  if (problems.length) throw validationError(problems);
}
