import { isUniqueViolation } from "../db/db-errors.ts";
import {
  findAccountById,
  insertAccounts,
  updateAccount,
} from "../db/repositories/accounts.repository.ts";
import type { Account } from "../domain/customer.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { Db } from "./context.ts";
import type { AccountCreateInput, AccountUpdateInput } from "./inputs.ts";
import { checkStaffReferences } from "./staff-references.ts";

function duplicateRef(ref: string | null | undefined): AppError {
  return new AppError(
    "ALREADY_EXISTS",
    `An account with the external reference ${ref} already exists.`,
    {
      fields: [{ field: "externalRef", message: "is already used by another account" }],
    },
  );
}

async function checkStaff(db: Db, input: AccountUpdateInput) {
  await checkStaffReferences(db, [
    { field: "accountManagerId", userId: input.accountManagerId, role: "account_manager" },
    { field: "csmId", userId: input.csmId, role: "csm" },
  ]);
}

export async function createAccount(db: Db, input: AccountCreateInput): Promise<Account> {
  await checkStaff(db, input);
  try {
    const [account] = await insertAccounts(db, [input]);
    return account!;
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateRef(input.externalRef);
    throw error;
  }
}

export async function changeAccount(
  db: Db,
  id: string,
  input: AccountUpdateInput,
): Promise<Account> {
  await checkStaff(db, input);
  try {
    const account = await updateAccount(db, id, input);
    if (!account) throw notFound("Account", id);
    return account;
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateRef(input.externalRef);
    throw error;
  }
}

export async function getAccount(db: Db, id: string): Promise<Account> {
  const account = await findAccountById(db, id);
  if (!account) throw notFound("Account", id);
  return account;
}
