// Erases a customer contact's personal data on request (data protection): the contact's name,
// email and phone, the free text of the contact's cases (form answers, notes, feedback, reasons
// written down), the bodies of those cases' audit entries, and the messages sent to the contact.
// Codes, outcomes, instants and values stay, so every figure is the same after an erasure; the
// audit chain keeps verifying because entries are hashed over their body's digest (see
// audit-chain.ts), and each case's chain gets an entry recording the erasure.
import { appendAuditEntries, listAuditEntries } from "../db/repositories/audit.repository.ts";
import { findContactById } from "../db/repositories/contacts.repository.ts";
import {
  allowAuditErasure,
  deleteIdempotencyAnswersQuoting,
  eraseDevMail,
  findContactErasure,
  listCaseEffects,
  listContactCasesForUpdate,
  listContactDevMail,
  listContactMessages,
  markContactErased,
  redactAuditBody,
  replaceCaseData,
  replaceEffectDetails,
  replaceMessage,
  stopUnsentMessages,
} from "../db/repositories/personal-data.repository.ts";
import type { Actor } from "../domain/actor.ts";
import { notFound } from "../domain/errors.ts";
import { canonicalJson, ERASURE_EVENT_TYPE } from "./audit-chain.ts";
import type { AppContext } from "./context.ts";
import {
  ERASED,
  ERASED_CONTACT_NAME,
  personalWords,
  redactPersonalData,
  redactText,
} from "./personal-data.ts";

export interface ContactErasure {
  contactId: string;
  erasedAt: string;
  /** True when the contact had already been erased: nothing was done this time. */
  alreadyErased: boolean;
  cases: number;
  auditEntriesRedacted: number;
  messagesRedacted: number;
}

export async function eraseContactData(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
): Promise<ContactErasure> {
  return ctx.db.transaction().execute(async (trx) => {
    const contact = await findContactById(trx, contactId);
    if (!contact) throw notFound("Contact", contactId);
    const previous = await findContactErasure(trx, contactId);
    if (previous?.erased_at) {
      return {
        contactId,
        erasedAt: previous.erased_at.toISOString(),
        alreadyErased: true,
        cases: 0,
        auditEntriesRedacted: 0,
        messagesRedacted: 0,
      };
    }
    const now = ctx.now();
    const words = personalWords(contact);
    const cases = await listContactCasesForUpdate(trx, contactId);
    await allowAuditErasure(trx);
    let auditEntriesRedacted = 0;
    for (const c of cases) {
      await replaceCaseData(trx, c.id, redactPersonalData(c.data, words));
      const erasedEntries: { seq: number; hash: string }[] = [];
      for (const entry of await listAuditEntries(trx, c.id)) {
        if (entry.erasedAt) continue;
        const redacted = redactPersonalData(entry.body, words);
        if (canonicalJson(redacted) === canonicalJson(entry.body)) continue;
        await redactAuditBody(trx, c.id, entry.seq, redacted, now);
        erasedEntries.push({ seq: entry.seq, hash: entry.hash });
      }
      auditEntriesRedacted += erasedEntries.length;
      // The erasure is itself on the record: who, when, which contact and entries; no personal data.
      await appendAuditEntries(trx, c.id, [
        {
          type: ERASURE_EVENT_TYPE,
          caseVersion: c.version,
          actor,
          at: now.toISOString(),
          body: { contactId, erasedEntries },
        },
      ]);
    }
    // An accepted offer's custom terms, as the billing ledger recorded them.
    for (const effect of await listCaseEffects(
      trx,
      cases.map((c) => c.id),
    )) {
      const redacted = redactPersonalData(effect.details, words);
      if (canonicalJson(redacted) !== canonicalJson(effect.details)) {
        await replaceEffectDetails(trx, effect.effect_key, redacted);
      }
    }
    const messages = await listContactMessages(
      trx,
      contactId,
      cases.map((c) => c.id),
    );
    for (const m of messages) {
      await replaceMessage(trx, m.id, {
        recipient: redactPersonalData(m.recipient, words),
        payload: redactPersonalData(m.payload, words),
        lastError: m.last_error === null ? null : redactText(m.last_error, words),
      });
    }
    // Only those addressed to the contact: staff notices and webhooks about the cases still go.
    await stopUnsentMessages(
      trx,
      messages
        .filter((m) => (m.recipient as { contactId?: string } | null)?.contactId === contactId)
        .map((m) => m.id),
      now,
    );
    const devMail = await listContactDevMail(
      trx,
      messages.map((m) => m.id),
      [contact.email, contact.phone].filter((a): a is string => !!a),
    );
    await eraseDevMail(
      trx,
      devMail.map((d) => d.id),
      ERASED,
    );
    await deleteIdempotencyAnswersQuoting(trx, [
      ...words,
      contactId,
      ...cases.flatMap((c) => [c.id, c.reference]),
    ]);
    await markContactErased(trx, contactId, { name: ERASED_CONTACT_NAME, at: now, by: actor });
    return {
      contactId,
      erasedAt: now.toISOString(),
      alreadyErased: false,
      cases: cases.length,
      auditEntriesRedacted,
      messagesRedacted: messages.length + devMail.length,
    };
  });
}
