// Admins create staff users, change their role, reset passwords and deactivate them. A
// deactivated user's sessions end at once.
import { isUniqueViolation } from "../db/db-errors.ts";
import { countOpenCasesOfAssignee } from "../db/repositories/cases.repository.ts";
import { deleteSessionsOfUser } from "../db/repositories/sessions.repository.ts";
import {
  countActiveAdmins,
  findUserById,
  insertUser,
  lockActiveAdmins,
  updateUser,
} from "../db/repositories/users.repository.ts";
import { AppError, notFound } from "../domain/errors.ts";
import {
  mayHoldCaseSlot,
  type Principal,
  STAFF_ROLE_LABELS,
  type StaffUser,
} from "../domain/staff.ts";
import type { Db } from "./context.ts";
import type { UserCreateInput, UserUpdateInput } from "./inputs.ts";
import { hashPassword } from "./secrets.ts";

export async function createUser(db: Db, input: UserCreateInput): Promise<StaffUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertUser(db, {
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash,
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("ALREADY_EXISTS", `A user with the email ${input.email} already exists.`, {
        fields: [{ field: "email", message: "is already used by another user" }],
      });
    }
    throw error;
  }
}

export async function changeUser(
  db: Db,
  actor: Principal,
  id: string,
  input: UserUpdateInput,
): Promise<StaffUser> {
  if (
    actor.kind === "user" &&
    actor.userId === id &&
    (input.active === false || (input.role && input.role !== "admin"))
  ) {
    // An admin removing their own rights could leave nobody able to administer CancelDesk.
    throw new AppError("CONFLICT", "You cannot deactivate yourself or remove your own admin role.");
  }
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  const mayRemoveAnAdmin =
    input.active === false || (input.role !== undefined && input.role !== "admin");
  const user = await db.transaction().execute(async (trx) => {
    if (mayRemoveAnAdmin) await lockActiveAdmins(trx);
    const updated = await updateUser(trx, id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.role !== undefined ? { role: input.role } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(passwordHash !== undefined ? { passwordHash } : {}),
    });
    if (!updated) throw notFound("User", id);
    // Whoever acts (another admin, an API key), CancelDesk keeps someone who can administer it.
    if (mayRemoveAnAdmin && (await countActiveAdmins(trx)) === 0) {
      throw new AppError(
        "CONFLICT",
        "This would leave no active admin: make another user an admin first.",
        { code: "LAST_ADMIN" },
      );
    }
    // Asked after the last-admin rule, so a change refused for that is refused before the desk
    // hands any case over to make room for it.
    if (input.role !== undefined) await refuseStrandingOpenCases(trx, updated);
    // A deactivation, role change or new password ends the user's sessions: they sign in again
    // and get exactly the rights they now have.
    if (input.active === false || input.role !== undefined || passwordHash !== undefined) {
      await deleteSessionsOfUser(trx, id);
    }
    return updated;
  });
  return user;
}

/**
 * A new role must be able to hold the cases the user holds open: a CSM made an account manager
 * would otherwise stay the CSM of escalations no CSM queue shows, and nobody could record their
 * outcome. The admin hands those cases over first (POST /api/users/:id/open-cases/hand-over).
 */
async function refuseStrandingOpenCases(trx: Db, user: StaffUser): Promise<void> {
  const open = await countOpenCasesOfAssignee(trx, user.id);
  const stranded = (["am", "csm"] as const).filter(
    (slot) => open[slot] > 0 && !mayHoldCaseSlot(slot, user.role),
  );
  if (stranded.length === 0) return;
  const held = stranded
    .map(
      (slot) =>
        `${open[slot]} open case${open[slot] === 1 ? "" : "s"} as ${slot === "am" ? "AM" : "CSM"}`,
    )
    .join(" and ");
  throw new AppError(
    "CONFLICT",
    `${user.name} holds ${held}, which the ${STAFF_ROLE_LABELS[user.role].toLowerCase()} role cannot hold: hand them to a colleague first, then change the role.`,
    { code: "OPEN_CASES_NEED_SUCCESSOR", details: { openCases: open } },
  );
}

export async function getUser(db: Db, id: string): Promise<StaffUser> {
  const user = await findUserById(db, id);
  if (!user) throw notFound("User", id);
  return user;
}
