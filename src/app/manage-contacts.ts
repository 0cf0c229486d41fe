import { isForeignKeyViolation, isUniqueViolation } from "../db/db-errors.ts";
import { lockOpenCasesOfRequester } from "../db/repositories/cases.repository.ts";
import {
  findContactById,
  insertContacts,
  updateContact,
} from "../db/repositories/contacts.repository.ts";
import type { Contact } from "../domain/customer.ts";
import { AppError, notFound, validationError } from "../domain/errors.ts";
import type { CaseEvent } from "../domain/events.ts";
import type { Principal } from "../domain/staff.ts";
import type { AppContext, Db } from "./context.ts";
import {
  type ContactCreateInput,
  type ContactUpdateInput,
  contactCreateInput,
  fieldProblems,
} from "./inputs.ts";
import { actorOf, recordCaseEvents } from "./run-case-command.ts";

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

/** The details codes and customer links are sent to. */
const DELIVERY_FIELDS = ["email", "phone", "preferredChannel"] as const;

export async function changeContact(
  services: AppContext,
  principal: Principal,
  id: string,
  input: ContactUpdateInput,
): Promise<Contact> {
  const { expectedVersion, ...changes } = input;
  return services.db.transaction().execute(async (trx) => {
    const current = await findContactById(trx, id);
    if (!current) throw notFound("Contact", id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw contactChanged(current.version);
    }
    // The cross-field rules (an email for the email channel, ...) hold for the contact as it will be.
    const merged = contactCreateInput.safeParse({ ...current, ...changes });
    if (!merged.success) throw validationError(fieldProblems(merged.error));
    // The requester's open cases are locked before the contact, in the order erasure takes
    // them, so the two cannot wait on each other.
    const delivery = DELIVERY_FIELDS.filter(
      (field) => changes[field] !== undefined && changes[field] !== current[field],
    );
    const openCases = delivery.length > 0 ? await lockOpenCasesOfRequester(trx, id) : [];
    let updated: Contact | undefined;
    try {
      // With expectedVersion, written only over that version, so a change landing since the
      // check above is caught too. (The contact is not locked up front: that would take it
      // before the open cases, against the order erasure locks them in.)
      updated = await updateContact(trx, id, changes, expectedVersion);
    } catch (error) {
      throw translate(error);
    }
    if (!updated)
      throw contactChanged((await findContactById(trx, id))?.version ?? current.version);
    const changed = updated;
    // Where a case's code and links go is part of its evidence: each open case of this requester
    // records the change in its own audit log, in the same transaction.
    const fields = DELIVERY_FIELDS.filter((field) => current[field] !== changed[field]);
    for (const c of fields.length > 0 ? openCases : []) {
      const now = services.now();
      const event: CaseEvent = {
        type: "requester_details_changed",
        contactId: id,
        fields: [...fields],
        caseId: c.id,
        version: c.version,
        at: now.toISOString(),
        actor: actorOf(principal),
      };
      await recordCaseEvents(services, trx, c, [event], now);
    }
    return changed;
  });
}

function contactChanged(currentVersion: number): AppError {
  return new AppError(
    "CONFLICT",
    `The contact changed since you read it (it is at version ${currentVersion} now): reload it and make your change again.`,
    { code: "CONTACT_CHANGED", details: { currentVersion } },
  );
}

export async function getContact(db: Db, id: string): Promise<Contact> {
  const contact = await findContactById(db, id);
  if (!contact) throw notFound("Contact", id);
  return contact;
}
