import { describe, expect, it } from "vitest";
import type { Case } from "../domain/case.ts";
import { buildChecklist } from "../domain/checklist.ts";
import {
  AM,
  apply,
  caseIn,
  commands,
  makeContext,
  minutesAfter,
  REQUESTER,
} from "../domain/test-factories.ts";
import {
  type AuditEntryContent,
  digestAuditBody,
  GENESIS_HASH,
  hashSealedAuditEntry,
  type StoredAuditEntry,
} from "./audit-chain.ts";
import { buildCaseDocumentation, renderCaseDocumentationMarkdown } from "./case-documentation.ts";
import { ERASED, redactPersonalData } from "./personal-data.ts";

const context = makeContext();
const closed = caseIn("closed", context);

function chain(n: number): StoredAuditEntry[] {
  const entries: StoredAuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content: AuditEntryContent = {
      caseId: closed.id,
      seq,
      type: seq === 1 ? "case_opened" : "note_added",
      caseVersion: seq,
      actor: { kind: "staff", userId: "u-am", role: "account_manager" },
      at: `2025-03-03T09:0${seq}:00.000Z`,
      body: { text: `entry ${seq}` },
    };
    const bodyDigest = digestAuditBody(content.body);
    const hash = hashSealedAuditEntry(prev, content, bodyDigest);
    entries.push({ ...content, prevHash: prev, hash, bodyDigest, erasedAt: null });
    prev = hash;
  }
  return entries;
}

function documentation(auditEntries = chain(3), c: Case = closed) {
  return buildCaseDocumentation({
    case: c,
    policy: context.policy,
    account: { id: closed.accountId, name: "Acme Hiring" },
    subscription: {
      id: closed.subscriptionId,
      planName: "Growth",
      monthlyValueMinor: 49_900,
      currency: "USD",
      status: "cancellation_scheduled",
    },
    requester: {
      id: REQUESTER.contactId,
      name: "Dana Owner",
      email: "dana@acme.test",
      phone: null,
      role: "owner",
    },
    staffNames: { "u-am": "Priya Shah", "u-csm": "Sam Lee" },
    checklist: buildChecklist(closed, context, new Date("2025-04-01T00:00:00Z")),
    auditEntries,
    generatedAt: new Date("2025-04-01T00:00:00Z"),
  });
}

describe("a case's documentation", () => {
  it("has the request, the seven steps with who by name, when and how, and the verified chain", () => {
    const doc = documentation();
    expect(doc).toMatchObject({
      reference: closed.reference,
      outcome: "cancelled",
      account: { name: "Acme Hiring" },
      request: { channel: closed.channel, openedBy: "Priya Shah (account manager)" },
      csm: { csm: "Sam Lee", outcome: "proceed", decidedBy: "Sam Lee" },
      processing: { mode: closed.processing?.mode },
      audit: { verified: true, break: null, erasedEntries: [] },
    });
    expect(doc.steps.map((s) => s.status)).toEqual(Array(7).fill("done"));
    expect(doc.steps[0]!.records).toEqual([
      expect.objectContaining({ what: "Request logged", by: "Priya Shah (account manager)" }),
      expect.objectContaining({ what: "Identity verified", how: "code" }),
    ]);
    expect(doc.steps[1]!.records.at(-1)).toMatchObject({ by: "Dana Owner (customer)" });
    // Staff ids in the engine's sentences are replaced by names.
    expect(doc.steps[3]!.evidence.join(" ")).toContain("Sam Lee");
    expect(doc.steps[3]!.evidence.join(" ")).not.toContain("u-csm");
    expect(doc.audit.entries[2]).toMatchObject({ seq: 3, by: "Priya Shah (account manager)" });
  });

  it("says reasons, offers and outcomes in the policy's words, keeping the codes for systems", () => {
    const doc = documentation();
    const reasonCode = closed.form!.submission!.reasonCode;
    const label = context.policy.reasons.find((r) => r.code === reasonCode)!.label;
    const trail = doc.steps.flatMap((s) => s.records.map((r) => r.what));
    expect(trail.filter((w) => w.startsWith(`Form submitted: ${label}, `))).toHaveLength(1);
    expect(trail).toContain("CSM outcome: proceed with the cancellation");
    expect(trail.join(" ")).not.toContain(`: ${reasonCode},`);
    const decision = closed.feedback!.submission!.decisionReason!;
    expect(doc.feedback).toMatchObject({
      decisionReason: decision,
      decisionReasonLabel: context.policy.reasons.find((r) => r.code === decision)!.label,
    });
    expect(renderCaseDocumentationMarkdown(doc)).toContain(
      `decided because of ${doc.feedback!.decisionReasonLabel}`,
    );
  });

  it("keeps the summary written at close apart from the one noted at opening", () => {
    const doc = documentation();
    expect(doc.closing.summary).toBe("Cancelled at end of term; feedback received.");
    expect(doc.request.summary).toBe("Wants to cancel at the end of the term.");
    const md = renderCaseDocumentationMarkdown(doc);
    expect(md).toContain("- Summary: Cancelled at end of term; feedback received.");
    expect(md).toContain("| Noted at opening | Wants to cancel at the end of the term. |");
  });

  it("says what became of the offers and the feedback request when nobody answered", () => {
    const retention = caseIn("retention", context);
    const withdrawn = apply(
      retention,
      commands.withdraw(minutesAfter(retention.offers[0]!.expiresAt, 5), {
        actor: AM,
        reason: "The customer found budget after all.",
      }),
      context,
    );
    const doc = documentation(chain(3), withdrawn);
    const records = doc.steps.flatMap((step) => step.records);
    expect(records).toContainEqual(
      expect.objectContaining({
        what: "Offer expired without an answer: 20% off for 3 months",
        by: "CancelDesk (system)",
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        what: "Request withdrawn",
        how: "The customer found budget after all.",
      }),
    );
  });

  it("says where the chain breaks", () => {
    const entries = chain(3);
    entries[1] = { ...entries[1]!, body: { text: "rewritten" } };
    expect(documentation(entries).audit).toMatchObject({ verified: false, break: { seq: 2 } });
  });

  it("renders Markdown with every section and the hashes, escaping table cells", () => {
    const doc = documentation();
    const md = renderCaseDocumentationMarkdown({
      ...doc,
      notes: [
        { number: 1, text: "a | b\nc", writtenAt: "2025-03-03T10:00:00.000Z", writtenBy: "x" },
      ],
    });
    for (const heading of [
      `# Case ${closed.reference}: documentation`,
      "## Request",
      "## The seven steps",
      "### 1. ",
      "### 7. ",
      "## Offers",
      "## CSM outcome",
      "## Processing and confirmation",
      "## Feedback",
      "## Notes",
      "## Audit trail",
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("The hash chain verifies (3 entries)");
    expect(md).toContain(`\`${doc.audit.entries[2]!.hash}\``);
    expect(md).toContain("a \\| b c");
  });
});

describe("redacting personal data", () => {
  it("replaces free text and the contact's words, and keeps codes, numbers and ids", () => {
    const redacted = redactPersonalData(
      {
        reasonCode: "too_expensive",
        details: "Budget cut",
        rating: 4,
        comments: "",
        submittedBy: { kind: "customer", contactId: "ct-1" },
        nested: [{ notes: "call Dana" }, { label: "Email dana@acme.test now" }],
      },
      ["Dana Owner", "dana@acme.test"],
    );
    expect(redacted).toEqual({
      reasonCode: "too_expensive",
      details: ERASED,
      rating: 4,
      comments: "",
      submittedBy: { kind: "customer", contactId: "ct-1" },
      nested: [{ notes: ERASED }, { label: `Email ${ERASED} now` }],
    });
  });
});
