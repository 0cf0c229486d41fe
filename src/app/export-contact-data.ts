// Everything CancelDesk holds about one customer contact, as one JSON document (a data subject's
// access request): the contact, their cases with form answers and feedback, the messages sent to
// them (without the secrets their links and codes derive from), the cases' audit entries, and
// what billing did for their cases (an accepted custom offer's terms are words about them).
import { findAccountById } from "../db/repositories/accounts.repository.ts";
import { listAuditEntries } from "../db/repositories/audit.repository.ts";
import { findContactById } from "../db/repositories/contacts.repository.ts";
import {
  findContactErasure,
  listCaseEffects,
  listContactCases,
  listContactDevMail,
  listContactMessages,
} from "../db/repositories/personal-data.repository.ts";
import type { Case } from "../domain/case.ts";
import { notFound } from "../domain/errors.ts";
import type { AppContext } from "./context.ts";

function withoutSecrets(payload: unknown): unknown {
  if (!payload || typeof payload !== "object") return payload;
  const { codeNonce: _c, linkNonce: _l, codeId: _i, ...rest } = payload as Record<string, unknown>;
  return rest;
}

export async function exportContactData(ctx: AppContext, contactId: string) {
  const db = ctx.db;
  const contact = await findContactById(db, contactId);
  if (!contact) throw notFound("Contact", contactId);
  const [account, erasure, caseRows] = await Promise.all([
    findAccountById(db, contact.accountId),
    findContactErasure(db, contactId),
    listContactCases(db, contactId),
  ]);
  const cases = [];
  for (const row of caseRows) {
    const c = row.data as Case;
    const entries = await listAuditEntries(db, row.id);
    cases.push({
      reference: row.reference,
      case: c,
      formAnswers: c.form?.submission ?? null,
      feedback: c.feedback?.submission ?? null,
      auditEntries: entries.map(({ caseId: _c, ...e }) => e),
    });
  }
  const effects = await listCaseEffects(
    db,
    caseRows.map((c) => c.id),
  );
  const messages = await listContactMessages(
    db,
    contactId,
    caseRows.map((c) => c.id),
  );
  const devMail = await listContactDevMail(
    db,
    messages.map((m) => m.id),
    [contact.email, contact.phone].filter((a): a is string => !!a),
  );
  return {
    exportedAt: ctx.now().toISOString(),
    contact: {
      ...contact,
      createdAt: contact.createdAt.toISOString(),
      updatedAt: contact.updatedAt.toISOString(),
      erasedAt: erasure?.erased_at ? erasure.erased_at.toISOString() : null,
    },
    account: account ? { id: account.id, name: account.name } : null,
    cases,
    formAnswers: cases
      .filter((c) => c.formAnswers)
      .map((c) => ({ caseReference: c.reference, ...c.formAnswers })),
    feedback: cases
      .filter((c) => c.feedback)
      .map((c) => ({ caseReference: c.reference, ...c.feedback })),
    /** What billing did for their cases (offers applied, cancellations), as the ledger has it. */
    subscriptionEffects: effects.map((e) => ({
      caseReference: caseRows.find((c) => c.id === e.case_id)?.reference ?? null,
      kind: e.kind,
      details: e.details,
      appliedAt: e.applied_at.toISOString(),
    })),
    messages: messages.map((m) => ({
      id: m.id,
      caseId: m.case_id,
      topic: m.topic,
      channel: m.channel,
      recipient: m.recipient,
      payload: withoutSecrets(m.payload),
      status: m.status,
      lastError: m.last_error,
      createdAt: m.created_at.toISOString(),
      sentAt: m.sent_at ? m.sent_at.toISOString() : null,
    })),
    deliveredCopies: devMail.map((d) => ({
      id: d.id,
      outboxId: d.outbox_id,
      channel: d.channel,
      recipient: d.recipient,
      subject: d.subject,
      text: d.text_body,
      createdAt: d.created_at.toISOString(),
    })),
  };
}

export type ContactDataExport = Awaited<ReturnType<typeof exportContactData>>;
