// A case's documentation as an auditor reads it, built from what is stored and nothing else (a pure
// function): the account, the request, each of the seven steps with its evidence (who by name,
// when, how), offers and answers, the CSM outcome, processing, confirmation, feedback, notes, and
// the audit entries with their hashes and whether the chain verifies. Rendered as JSON (the
// document itself) or as Markdown.
import type { Actor, SystemActor } from "../domain/actor.ts";
import { type Case, savedOffer } from "../domain/case.ts";
import type { ChecklistItem } from "../domain/checklist.ts";
import { describeConfirmation } from "../domain/documentation.ts";
import {
  findOffer,
  findReason,
  type PolicyDefinition,
  type StepKey,
} from "../domain/policy-definition.ts";
import { type ChainBreak, checkChain, type StoredAuditEntry } from "./audit-chain.ts";

const SYSTEM_ACTOR: SystemActor = { kind: "system" };

export interface DocumentationInput {
  case: Case;
  policy: PolicyDefinition;
  account: { id: string; name: string };
  subscription: {
    id: string;
    planName: string | null;
    monthlyValueMinor: number;
    currency: string;
    status: string;
  } | null;
  requester: {
    id: string;
    name: string;
    email: string | null;
    phone: string | null;
    role: string;
  } | null;
  /** Staff names by user id, for "who" in every record. */
  staffNames: Record<string, string>;
  checklist: ChecklistItem[];
  auditEntries: StoredAuditEntry[];
  generatedAt: Date;
}

export interface StepRecord {
  what: string;
  by: string;
  at: string;
  how: string | null;
}

export interface DocumentedStep {
  number: number;
  key: StepKey;
  title: string;
  status: string;
  evidence: string[];
  /** The same lines in parts: instants apart (for the reader's own time zone), staff by name. */
  evidenceParts: ({ text: string } | { at: string })[][];
  records: StepRecord[];
}

export interface CaseDocumentationExport {
  generatedAt: string;
  caseId: string;
  reference: string;
  state: string;
  outcome: string | null;
  policyVersion: number;
  account: { id: string; name: string };
  subscription: DocumentationInput["subscription"];
  request: {
    channel: string;
    openedAt: string;
    openedBy: string;
    /** What was noted when the case was opened (the closing summary is under `closing`). */
    summary: string | null;
    requester: DocumentationInput["requester"];
  };
  steps: DocumentedStep[];
  reason: { code: string | null; label: string | null; formDetails: string | null };
  offers: {
    offerCode: string;
    label: string;
    kind: string;
    customTerms: string | null;
    presentedAt: string;
    presentedBy: string;
    answer: string;
    answeredAt: string | null;
    answeredBy: string | null;
  }[];
  noSuitableOffer: { reason: string; recordedAt: string; recordedBy: string } | null;
  csm: {
    csm: string;
    escalatedAt: string;
    slaDueAt: string;
    engagedAt: string | null;
    outcome: string | null;
    retainedOfferCode: string | null;
    /** The saved offer as presented (a custom offer's label), else the catalog's label. */
    retainedOfferLabel: string | null;
    /** The AM's notes when escalating, and the CSM's when engaging. */
    handoverNotes: string | null;
    engagementNotes: string | null;
    notes: string | null;
    decidedBy: string | null;
    decidedAt: string | null;
  } | null;
  processing: {
    mode: string;
    effectiveAt: string;
    processedAt: string;
    processedBy: string;
    timeBoxUsed: boolean;
  } | null;
  confirmation: {
    channel: string;
    recordedAt: string;
    recordedBy: string;
    callOutcome: string | null;
    notes: string | null;
  } | null;
  feedback: {
    requestedAt: string;
    expiresAt: string;
    submittedAt: string | null;
    rating: number | null;
    decisionReason: string | null;
    /** The policy's label of the decision reason. */
    decisionReasonLabel: string | null;
    comments: string | null;
    expiredAt: string | null;
  } | null;
  withdrawal: { withdrawnAt: string; withdrawnBy: string; reason: string | null } | null;
  notes: { number: number; text: string; writtenAt: string; writtenBy: string }[];
  closing: { closedAt: string | null; summary: string | null; writtenBy: string | null };
  audit: {
    verified: boolean;
    break: ChainBreak | null;
    erasedEntries: number[];
    entries: {
      seq: number;
      type: string;
      at: string;
      by: string;
      caseVersion: number;
      prevHash: string;
      hash: string;
      bodyDigest: string | null;
      erased: boolean;
    }[];
  };
}

export function buildCaseDocumentation(input: DocumentationInput): CaseDocumentationExport {
  const c = input.case;
  // People read labels; the JSON keeps the codes beside them for systems.
  const reasonLabel = (code: string | null | undefined) =>
    code ? (findReason(input.policy, code)?.label ?? null) : null;
  // The saved offer as accepted last (one declined earlier under its code may differ).
  const offerLabel = (code: string | null | undefined) =>
    code ? (savedOffer(c)?.label ?? findOffer(input.policy, code)?.label ?? code) : null;
  const staffName = (id: string | null | undefined) =>
    id ? (input.staffNames[id] ?? `user ${id}`) : "nobody";
  const who = (actor: Actor | null | undefined): string => {
    if (!actor) return "nobody";
    if (actor.kind === "staff")
      return `${staffName(actor.userId)} (${actor.role.replace("_", " ")})`;
    if (actor.kind === "customer") {
      const name =
        input.requester && input.requester.id === actor.contactId
          ? input.requester.name
          : `contact ${actor.contactId}`;
      return `${name} (customer)`;
    }
    return "CancelDesk (system)";
  };
  const withNames = (sentence: string) =>
    Object.entries(input.staffNames).reduce(
      (text, [id, name]) => text.split(id).join(name),
      sentence,
    );
  const reasonCode =
    c.reasonConversations[c.reasonConversations.length - 1]?.reasonCode ??
    c.form?.submission?.reasonCode ??
    null;
  const escalation = c.escalation;
  const check = checkChain(input.auditEntries);

  const records = (key: StepKey): StepRecord[] => {
    const out: StepRecord[] = [];
    const add = (what: string, by: string, at: string | null | undefined, how: string | null) => {
      if (at) out.push({ what, by, at, how });
    };
    switch (key) {
      case "initial_contact":
        add("Request logged", who(c.openedBy), c.openedAt, c.channel);
        add(
          "Identity verified",
          who(c.identity.verifiedBy),
          c.identity.verifiedAt,
          c.identity.method,
        );
        break;
      case "cancellation_request_form":
        if (c.form) {
          add(
            "Form sent",
            who(c.form.firstSentBy ?? c.form.sentBy),
            c.form.firstSentAt,
            c.form.deliveryChannel,
          );
          if (c.form.sendCount > 1)
            add(
              `Form resent (${c.form.sendCount} sends)`,
              who(c.form.sentBy),
              c.form.sentAt,
              c.form.deliveryChannel,
            );
          const s = c.form.submission;
          if (s)
            add(
              `Form submitted: ${reasonLabel(s.reasonCode) ?? s.reasonCode}, ${s.requestedEffective === "immediately" ? "immediately" : "at the end of the term"}, confirmation by ${s.preferredConfirmationChannel}`,
              who(s.submittedBy),
              s.submittedAt,
              "customer link",
            );
        }
        break;
      case "assistance_and_alternatives":
        for (const r of c.reasonConversations)
          add(
            `Reason recorded: ${reasonLabel(r.reasonCode) ?? r.reasonCode}`,
            who(r.recordedBy),
            r.recordedAt,
            "conversation",
          );
        for (const o of c.offers) {
          add(`Offer presented: ${o.label}`, who(o.presentedBy), o.presentedAt, o.kind);
          add(`Offer ${o.answer}: ${o.label}`, who(o.answeredBy), o.answeredAt, null);
          if (o.answer === "expired")
            add(
              `Offer expired without an answer: ${o.label}`,
              who(SYSTEM_ACTOR),
              o.expiresAt,
              null,
            );
          if (o.answer === "unanswered")
            add(
              `Offer not answered before the case closed: ${o.label}`,
              who(SYSTEM_ACTOR),
              c.closedAt,
              null,
            );
        }
        if (c.noSuitableOffer)
          add(
            "No suitable offer",
            who(c.noSuitableOffer.recordedBy),
            c.noSuitableOffer.recordedAt,
            null,
          );
        break;
      case "escalation_to_csm":
        if (escalation) {
          add(
            `Escalated to ${staffName(escalation.csmId)}`,
            who(escalation.escalatedBy),
            escalation.escalatedAt,
            `due by ${escalation.slaDueAt}`,
          );
          add("CSM engaged", staffName(escalation.engagedBy), escalation.engagedAt, null);
          add(
            `CSM outcome: ${escalation.outcome === "proceed" ? "proceed with the cancellation" : escalation.outcome}`,
            staffName(escalation.decidedBy),
            escalation.decidedAt,
            offerLabel(escalation.retainedOfferCode),
          );
        }
        break;
      case "finalize_cancellation":
        if (c.processing)
          add(
            `Cancellation processed (${c.processing.mode}, effective ${c.processing.effectiveAt})`,
            who(c.processing.processedBy),
            c.processing.processedAt,
            c.processing.timeBoxUsed ? "after the CSM step's time box ran out" : null,
          );
        if (c.confirmation)
          add(
            describeConfirmation(c.confirmation),
            who(c.confirmation.recordedBy),
            c.confirmation.recordedAt,
            c.confirmation.channel +
              (c.confirmation.callOutcome ? ` (${c.confirmation.callOutcome})` : ""),
          );
        break;
      case "feedback":
        if (c.feedback) {
          add(
            "Feedback requested",
            who(c.feedback.requestedBy),
            c.feedback.requestedAt,
            c.feedback.deliveryChannel,
          );
          const s = c.feedback.submission;
          if (s)
            add(`Feedback given (rating ${s.rating})`, who(s.submittedBy), s.submittedAt, "survey");
          add(
            "Feedback request expired unanswered",
            who(SYSTEM_ACTOR),
            c.feedback.expiredAt,
            c.feedback.deliveryChannel,
          );
        }
        break;
      case "documentation":
        if (c.withdrawal)
          add(
            "Request withdrawn",
            who(c.withdrawal.withdrawnBy),
            c.withdrawal.withdrawnAt,
            c.withdrawal.reason,
          );
        add(
          `Closed as ${c.outcome}; documentation written`,
          who(c.documentation?.writtenBy),
          c.closedAt,
          null,
        );
        break;
    }
    return out;
  };

  return {
    generatedAt: input.generatedAt.toISOString(),
    caseId: c.id,
    reference: c.reference,
    state: c.state,
    outcome: c.outcome,
    policyVersion: c.policyVersion,
    account: input.account,
    subscription: input.subscription,
    request: {
      channel: c.channel,
      openedAt: c.openedAt,
      openedBy: who(c.openedBy),
      summary: c.summary,
      requester: input.requester,
    },
    steps: input.checklist.map((item) => ({
      number: item.number,
      key: item.key,
      title: item.title,
      status: item.status,
      evidence: item.evidence.map(withNames),
      evidenceParts: item.evidenceParts.map((parts) =>
        parts.map((part) =>
          "userId" in part ? { text: input.staffNames[part.userId] ?? "a staff member" } : part,
        ),
      ),
      records: records(item.key),
    })),
    reason: {
      code: reasonCode,
      label: findReason(input.policy, reasonCode)?.label ?? null,
      formDetails: c.form?.submission?.details ?? null,
    },
    offers: c.offers.map((o) => ({
      offerCode: o.offerCode,
      label: o.label,
      kind: o.kind,
      customTerms: o.customTerms,
      presentedAt: o.presentedAt,
      presentedBy: who(o.presentedBy),
      answer: o.answer,
      answeredAt: o.answeredAt,
      answeredBy: o.answeredBy ? who(o.answeredBy) : null,
    })),
    noSuitableOffer: c.noSuitableOffer
      ? {
          reason: c.noSuitableOffer.reason,
          recordedAt: c.noSuitableOffer.recordedAt,
          recordedBy: who(c.noSuitableOffer.recordedBy),
        }
      : null,
    csm: escalation
      ? {
          csm: staffName(escalation.csmId),
          escalatedAt: escalation.escalatedAt,
          slaDueAt: escalation.slaDueAt,
          engagedAt: escalation.engagedAt,
          outcome: escalation.outcome,
          retainedOfferCode: escalation.retainedOfferCode,
          retainedOfferLabel: offerLabel(escalation.retainedOfferCode),
          handoverNotes: escalation.notes,
          engagementNotes: escalation.engagementNotes,
          notes: escalation.outcomeNotes,
          decidedBy: escalation.decidedBy ? staffName(escalation.decidedBy) : null,
          decidedAt: escalation.decidedAt,
        }
      : null,
    processing: c.processing
      ? {
          mode: c.processing.mode,
          effectiveAt: c.processing.effectiveAt,
          processedAt: c.processing.processedAt,
          processedBy: who(c.processing.processedBy),
          timeBoxUsed: c.processing.timeBoxUsed,
        }
      : null,
    confirmation: c.confirmation
      ? {
          channel: c.confirmation.channel,
          recordedAt: c.confirmation.recordedAt,
          recordedBy: who(c.confirmation.recordedBy),
          callOutcome: c.confirmation.callOutcome,
          notes: c.confirmation.notes,
        }
      : null,
    feedback: c.feedback
      ? {
          requestedAt: c.feedback.requestedAt,
          expiresAt: c.feedback.expiresAt,
          submittedAt: c.feedback.submission?.submittedAt ?? null,
          rating: c.feedback.submission?.rating ?? null,
          decisionReason: c.feedback.submission?.decisionReason ?? null,
          decisionReasonLabel: reasonLabel(c.feedback.submission?.decisionReason),
          comments: c.feedback.submission?.comments ?? null,
          expiredAt: c.feedback.expiredAt,
        }
      : null,
    withdrawal: c.withdrawal
      ? {
          withdrawnAt: c.withdrawal.withdrawnAt,
          withdrawnBy: who(c.withdrawal.withdrawnBy),
          reason: c.withdrawal.reason,
        }
      : null,
    notes: c.notes.map((n) => ({
      number: n.number,
      text: n.text,
      writtenAt: n.writtenAt,
      writtenBy: who(n.writtenBy),
    })),
    closing: {
      closedAt: c.closedAt,
      // The summary written at close; the one noted at opening is the request's.
      summary: c.documentation?.summary ?? null,
      writtenBy: c.documentation ? who(c.documentation.writtenBy) : null,
    },
    audit: {
      verified: check.break === undefined,
      break: check.break ?? null,
      erasedEntries: check.erased,
      entries: input.auditEntries.map((e) => ({
        seq: e.seq,
        type: e.type,
        at: e.at,
        by: who(e.actor as Actor),
        caseVersion: e.caseVersion,
        prevHash: e.prevHash,
        hash: e.hash,
        bodyDigest: e.bodyDigest ?? null,
        erased: check.erased.includes(e.seq),
      })),
    },
  };
}

/** Table cells stay on one line and cannot close the cell early. */
function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  return String(value).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(headers: string[], rows: unknown[][]): string[] {
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
}

export function renderCaseDocumentationMarkdown(doc: CaseDocumentationExport): string {
  const lines: string[] = [];
  const p = (...more: string[]) => lines.push(...more);
  p(`# Case ${doc.reference}: documentation`, "");
  p(
    `Account **${doc.account.name}** · outcome **${doc.outcome ?? "open"}** (${doc.state}) · policy version ${doc.policyVersion} · generated ${doc.generatedAt}`,
    "",
  );
  p("## Request", "");
  const r = doc.request.requester;
  p(
    ...table(
      ["Field", "Value"],
      [
        ["Channel", doc.request.channel],
        ["Opened", doc.request.openedAt],
        ["Logged by", doc.request.openedBy],
        ["Noted at opening", doc.request.summary],
        ["Requester", r ? `${r.name} (${r.role})` : null],
        ["Email", r?.email],
        ["Phone", r?.phone],
        [
          "Subscription",
          doc.subscription
            ? `${doc.subscription.planName ?? doc.subscription.id}, ${(doc.subscription.monthlyValueMinor / 100).toFixed(2)} ${doc.subscription.currency}/month, ${doc.subscription.status}`
            : null,
        ],
      ],
    ),
    "",
  );
  p("## The seven steps", "");
  for (const step of doc.steps) {
    p(`### ${step.number}. ${step.title} — ${step.status}`, "");
    for (const e of step.evidence) p(`- ${e}`);
    if (step.evidence.length > 0) p("");
    if (step.records.length > 0) {
      p(
        ...table(
          ["What", "Who", "When", "How"],
          step.records.map((x) => [x.what, x.by, x.at, x.how]),
        ),
        "",
      );
    }
  }
  p("## Reason", "");
  p(`- Reason: ${cell(doc.reason.label ?? doc.reason.code)} (${cell(doc.reason.code)})`);
  p(`- Details on the form: ${cell(doc.reason.formDetails)}`, "");
  p("## Offers", "");
  if (doc.offers.length === 0) p("No offer was presented.");
  else
    p(
      ...table(
        ["Offer", "Kind", "Presented", "By", "Answer", "Answered", "By"],
        doc.offers.map((o) => [
          o.label,
          o.kind,
          o.presentedAt,
          o.presentedBy,
          o.answer,
          o.answeredAt,
          o.answeredBy,
        ]),
      ),
    );
  if (doc.noSuitableOffer)
    p(
      "",
      `No suitable offer (${doc.noSuitableOffer.recordedBy}, ${doc.noSuitableOffer.recordedAt}): ${doc.noSuitableOffer.reason}`,
    );
  p("", "## CSM outcome", "");
  if (!doc.csm) p("Not escalated.");
  else
    p(
      `- CSM: ${doc.csm.csm}; escalated ${doc.csm.escalatedAt}, due ${doc.csm.slaDueAt}, engaged ${cell(doc.csm.engagedAt)}`,
      `- Hand-over notes: ${cell(doc.csm.handoverNotes)}`,
      `- Engagement notes: ${cell(doc.csm.engagementNotes)}`,
      `- Outcome: ${cell(doc.csm.outcome)}${doc.csm.retainedOfferCode ? ` with ${doc.csm.retainedOfferLabel ?? doc.csm.retainedOfferCode}` : ""}, by ${cell(doc.csm.decidedBy)} at ${cell(doc.csm.decidedAt)}`,
      `- Notes: ${cell(doc.csm.notes)}`,
    );
  p("", "## Processing and confirmation", "");
  if (doc.processing)
    p(
      `- Processed ${doc.processing.processedAt} by ${doc.processing.processedBy}: ${doc.processing.mode}, effective ${doc.processing.effectiveAt}${doc.processing.timeBoxUsed ? " (CSM time box used)" : ""}`,
    );
  else p("- Not processed.");
  if (doc.confirmation)
    p(
      `- ${doc.confirmation.callOutcome === "left_voicemail" ? "Voicemail left confirming the cancellation (phone)" : `Confirmed by ${doc.confirmation.channel}${doc.confirmation.callOutcome ? ` (${doc.confirmation.callOutcome})` : ""}`} at ${doc.confirmation.recordedAt} by ${doc.confirmation.recordedBy}`,
    );
  else p("- No confirmation recorded.");
  p("", "## Feedback", "");
  if (!doc.feedback) p("Not requested.");
  else if (doc.feedback.submittedAt)
    p(
      `- Rating ${doc.feedback.rating}/5, decided because of ${doc.feedback.decisionReasonLabel ?? doc.feedback.decisionReason} (${doc.feedback.submittedAt})`,
      `- Comments: ${cell(doc.feedback.comments)}`,
    );
  else
    p(
      `Requested ${doc.feedback.requestedAt}; ${doc.feedback.expiredAt ? "expired unanswered" : "no answer yet"}.`,
    );
  if (doc.withdrawal)
    p(
      "",
      `Withdrawn ${doc.withdrawal.withdrawnAt} by ${doc.withdrawal.withdrawnBy}: ${cell(doc.withdrawal.reason)}`,
    );
  p("", "## Notes", "");
  if (doc.notes.length === 0) p("No notes.");
  for (const n of doc.notes) p(`${n.number}. ${n.writtenAt}, ${n.writtenBy}: ${cell(n.text)}`);
  p("", "## Closing", "");
  p(
    `- Closed: ${cell(doc.closing.closedAt)} by ${cell(doc.closing.writtenBy)}`,
    `- Summary: ${cell(doc.closing.summary)}`,
    "",
  );
  p("## Audit trail", "");
  p(
    doc.audit.verified
      ? `The hash chain verifies (${doc.audit.entries.length} entries${doc.audit.erasedEntries.length ? `, ${doc.audit.erasedEntries.length} with personal data erased` : ""}).`
      : `**The hash chain is broken at entry ${doc.audit.break?.seq}: ${doc.audit.break?.problem}.**`,
    "",
  );
  p(
    ...table(
      ["#", "Event", "At", "By", "Previous hash", "Hash"],
      doc.audit.entries.map((e) => [
        e.seq,
        e.erased ? `${e.type} (erased)` : e.type,
        e.at,
        e.by,
        `\`${e.prevHash}\``,
        `\`${e.hash}\``,
      ]),
    ),
    "",
  );
  return lines.join("\n");
}
