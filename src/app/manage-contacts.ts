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
  return services.db.transaction().execute(async (trx) => {
    const current = await findContactById(trx, id);
    if (!current) throw notFound("Contact", id);
    // The cross-field rules (an email for the email channel, ...) hold for the contact as it will be.
    const merged = contactCreateInput.safeParse({ ...current, ...input });
    if (!merged.success) throw validationError(fieldProblems(merged.error));
    // The requester's open cases are locked before the contact, in the order erasure takes
    // them, so the two cannot wait on each other.
    const delivery = DELIVERY_FIELDS.filter(
      (field) => input[field] !== undefined && input[field] !== current[field],
    );
    const openCases = delivery.length > 0 ? await lockOpenCasesOfRequester(trx, id) : [];
    let changed: Contact;
    try {
      changed = (await updateContact(trx, id, input))!;
    } catch (error) {
      throw translate(error);
    }
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

export async function getContact(db: Db, id: string): Promise<Contact> {
  const contact = await findContactById(db, id);
  if (!contact) throw notFound("Contact", id);
  return contact;
}
