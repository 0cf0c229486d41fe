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
  const { expectedVersion, ...changes } = input;
  await checkStaff(db, changes);
  let account: Account | undefined;
  try {
    // With expectedVersion, written only over that version: one statement checks and writes, so
    // a change landing between the caller's read and this write is caught too.
    account = await updateAccount(db, id, changes, expectedVersion);
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateRef(changes.externalRef);
    throw error;
  }
  if (account) return account;
  const current = await findAccountById(db, id);
  if (!current) throw notFound("Account", id);
  throw accountChanged(current.version);
}

function accountChanged(currentVersion: number): AppError {
  return new AppError(
    "CONFLICT",
    `The account changed since you read it (it is at version ${currentVersion} now): reload it and make your change again.`,
    { code: "ACCOUNT_CHANGED", details: { currentVersion } },
  );
}

export async function getAccount(db: Db, id: string): Promise<Account> {
  const account = await findAccountById(db, id);
  if (!account) throw notFound("Account", id);
  return account;
}
