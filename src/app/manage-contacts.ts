import { isForeignKeyViolation, isUniqueViolation } from "../db/db-errors.ts";
import {
  findContactById,
  insertContacts,
  updateContact,
} from "../db/repositories/contacts.repository.ts";
import type { Contact } from "../domain/customer.ts";
import { AppError, notFound, validationError } from "../domain/errors.ts";
import type { Db } from "./context.ts";
import {
  type ContactCreateInput,
  type ContactUpdateInput,
  contactCreateInput,
  fieldProblems,
} from "./inputs.ts";

function translate(error: unknown): unknown {
  if (isForeignKeyViolation(error))
    return validationError([{ field: "accountId", message: "is not an existing account" }]);
  if (isUniqueViolation(error)) {
    return new AppError(
      "ALREADY_EXISTS",
      "A contact with this external reference already exists.",
      {
        fields: [{ field: "externalRef", message: "is already used by another contact" }],
      },
    );
  }
  return error;
}

export async function createContact(db: Db, input: ContactCreateInput): Promise<Contact> {
  try {
    const [contact] = await insertContacts(db, [input]);
    return contact!;
  } catch (error) {
    throw translate(error);
  }
}

export async function changeContact(
  db: Db,
  id: string,
  input: ContactUpdateInput,
): Promise<Contact> {
  return db.transaction().execute(async (trx) => {
    const current = await findContactById(trx, id);
    if (!current) throw notFound("Contact", id);
    // The cross-field rules (an email for the email channel, ...) hold for the contact as it will be.
    const merged = contactCreateInput.safeParse({ ...current, ...input });
    if (!merged.success) throw validationError(fieldProblems(merged.error));
    try {
      return (await updateContact(trx, id, input))!;
    } catch (error) {
      throw translate(error);
    }
  });
}

export async function getContact(db: Db, id: string): Promise<Contact> {
  const contact = await findContactById(db, id);
  if (!contact) throw notFound("Contact", id);
  return contact;
}
