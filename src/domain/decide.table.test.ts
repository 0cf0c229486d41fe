// The state machine as a table: for every state x every command kind, the representative case in
// that state (see caseIn) and a representative command either move the case to the documented
// state or are refused with the documented rule. The Record types make the table exhaustive.

import { describe, expect, it } from "vitest";
import { CASE_STATES, type Case, type CaseState } from "./case.ts";
import { COMMAND_KINDS, type Command, type CommandKind } from "./commands.ts";
import { decide } from "./decide.ts";
import type { RuleCode } from "./rules.ts";
import {
  ADMIN,
  CSM,
  caseIn,
  commands,
  deepFreeze,
  makeContext,
  minutesAfter,
  nextMinute,
  REQUESTER,
  SYSTEM,
} from "./test-factories.ts";

type Expected = CaseState | RuleCode;
type Row = Record<CaseState, Expected>;

/** Long after every link, code, offer and SLA of the representative cases has run out. */
const farFuture = (c: Case) => minutesAfter(c.updatedAt, 60 * 24 * 60);

const REPRESENTATIVE: Record<CommandKind, (c: Case) => Command> = {
  openCase: (c) => commands.openCase(nextMinute(c)),
  startIdentityVerification: (c) => commands.startIdentityVerification(nextMinute(c)),
  confirmIdentityCode: (c) => commands.confirmIdentityCode(nextMinute(c)),
  verifyBySecurityCheck: (c) => commands.verifyBySecurityCheck(nextMinute(c)),
  verifySelfService: (c) => commands.verifySelfService(nextMinute(c)),
  sendForm: (c) => commands.sendForm(nextMinute(c)),
  resendForm: (c) => commands.resendForm(nextMinute(c)),
  submitForm: (c) => commands.submitForm(nextMinute(c)),
  expireForm: (c) => commands.expireForm(farFuture(c)),
  recordReasonConversation: (c) => commands.recordReasonConversation(nextMinute(c)),
  presentOffer: (c) => commands.presentOffer(nextMinute(c), { offerCode: "training_session" }),
  answerOffer: (c) => commands.answerOffer(nextMinute(c), { answer: "accepted", actor: REQUESTER }),
  recordNoSuitableOffer: (c) => commands.recordNoSuitableOffer(nextMinute(c)),
  escalateToCsm: (c) => commands.escalateToCsm(nextMinute(c)),
  csmEngage: (c) => commands.csmEngage(nextMinute(c), { actor: CSM }),
  recordCsmOutcome: (c) => commands.recordCsmOutcome(nextMinute(c), { actor: CSM }),
  processCancellation: (c) => commands.processCancellation(nextMinute(c)),
  recordConfirmation: (c) => commands.recordConfirmation(nextMinute(c), { channel: "email" }),
  requestFeedback: (c) => commands.requestFeedback(nextMinute(c)),
  submitFeedback: (c) => commands.submitFeedback(nextMinute(c)),
  expireFeedbackRequest: (c) => commands.expireFeedbackRequest(farFuture(c), { actor: SYSTEM }),
  withdraw: (c) => commands.withdraw(nextMinute(c), { actor: REQUESTER }),
  closeCase: (c) => commands.closeCase(nextMinute(c)),
  addNote: (c) => commands.addNote(nextMinute(c)),
  reassign: (c) => commands.reassign(nextMinute(c), { actor: ADMIN }),
};

const IDNV = "IDENTITY_NOT_VERIFIED";
const FNS = "FORM_NOT_SENT";
const CLOSED = "CASE_CLOSED";

/** One row of the table, in the order of CASE_STATES. */
const row = (
  intake: Expected,
  form: Expected,
  retention: Expected,
  escalated: Expected,
  finalizing: Expected,
  cancelled: Expected,
  feedback: Expected,
  closed: Expected,
): Row => ({ intake, form, retention, escalated, finalizing, cancelled, feedback, closed });

const IAV = "IDENTITY_ALREADY_VERIFIED";
const FAS = "FORM_ALREADY_SUBMITTED";
const RSO = "RETENTION_STEP_OVER";
const CAP = "CANCELLATION_ALREADY_PROCESSED";
const COM = "CSM_OUTCOME_MISSING";
const CNP = "CANCELLATION_NOT_PROCESSED";
const CNR = "CONFIRMATION_NOT_RECORDED";
const EXISTS = "CASE_ALREADY_EXISTS";

const EXPECTED: Record<CommandKind, Row> = {
  openCase: row(EXISTS, EXISTS, EXISTS, EXISTS, EXISTS, EXISTS, EXISTS, EXISTS),
  startIdentityVerification: row("intake", IAV, IAV, IAV, IAV, IAV, IAV, CLOSED),
  confirmIdentityCode: row("form", IAV, IAV, IAV, IAV, IAV, IAV, CLOSED),
  verifyBySecurityCheck: row("form", IAV, IAV, IAV, IAV, IAV, IAV, CLOSED),
  // The table's cases are logged by the AM on the phone: only a portal start self-verifies.
  verifySelfService: row("IDENTITY_METHOD_NOT_ALLOWED", IAV, IAV, IAV, IAV, IAV, IAV, CLOSED),
  sendForm: row(
    IDNV,
    "retention",
    "FORM_ALREADY_SENT",
    "FORM_ALREADY_SENT",
    "FORM_ALREADY_SENT",
    "FORM_ALREADY_SENT",
    "FORM_ALREADY_SENT",
    CLOSED,
  ),
  resendForm: row(IDNV, FNS, "retention", FAS, FAS, FAS, FAS, CLOSED),
  submitForm: row(IDNV, FNS, "retention", FAS, FAS, FAS, FAS, CLOSED),
  expireForm: row(IDNV, FNS, "retention", FAS, FAS, FAS, FAS, CLOSED),
  recordReasonConversation: row(IDNV, FNS, "retention", "escalated", RSO, RSO, RSO, CLOSED),
  // The default actor is the AM: once escalated, only the CSM presents offers.
  presentOffer: row(IDNV, FNS, "retention", "ALREADY_ESCALATED", RSO, RSO, RSO, CLOSED),
  answerOffer: row(IDNV, FNS, "closed", "OFFER_ALREADY_ANSWERED", RSO, RSO, RSO, CLOSED),
  recordNoSuitableOffer: row(IDNV, FNS, "retention", "ALREADY_ESCALATED", RSO, RSO, RSO, CLOSED),
  escalateToCsm: row(
    IDNV,
    FNS,
    "OFFER_ANSWER_PENDING",
    "ALREADY_ESCALATED",
    "ALREADY_ESCALATED",
    "ALREADY_ESCALATED",
    "ALREADY_ESCALATED",
    CLOSED,
  ),
  csmEngage: row(
    IDNV,
    FNS,
    "NOT_ESCALATED",
    "escalated",
    "CSM_OUTCOME_ALREADY_RECORDED",
    CAP,
    CAP,
    CLOSED,
  ),
  recordCsmOutcome: row(
    IDNV,
    FNS,
    "NOT_ESCALATED",
    "finalizing",
    "CSM_OUTCOME_ALREADY_RECORDED",
    CAP,
    CAP,
    CLOSED,
  ),
  processCancellation: row(IDNV, FNS, "NOT_ESCALATED", COM, "cancelled", CAP, CAP, CLOSED),
  recordConfirmation: row(
    IDNV,
    FNS,
    "NOT_ESCALATED",
    COM,
    CNP,
    "cancelled",
    "CONFIRMATION_ALREADY_RECORDED",
    CLOSED,
  ),
  requestFeedback: row(
    IDNV,
    FNS,
    "NOT_ESCALATED",
    COM,
    CNP,
    CNR,
    "FEEDBACK_ALREADY_REQUESTED",
    CLOSED,
  ),
  submitFeedback: row(IDNV, FNS, "NOT_ESCALATED", COM, CNP, CNR, "feedback", CLOSED),
  expireFeedbackRequest: row(IDNV, FNS, "NOT_ESCALATED", COM, CNP, CNR, "feedback", CLOSED),
  withdraw: row(
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "WITHDRAWAL_TOO_LATE",
    "WITHDRAWAL_TOO_LATE",
    CLOSED,
  ),
  closeCase: row(CNP, CNP, CNP, CNP, CNP, CNR, "FEEDBACK_PENDING", CLOSED),
  addNote: row(
    "intake",
    "form",
    "retention",
    "escalated",
    "finalizing",
    "cancelled",
    "feedback",
    CLOSED,
  ),
  reassign: row(
    "intake",
    "form",
    "retention",
    "escalated",
    "finalizing",
    "cancelled",
    "feedback",
    CLOSED,
  ),
};

const isState = (expected: Expected): expected is CaseState =>
  (CASE_STATES as readonly string[]).includes(expected);

const context = makeContext();
const representatives = Object.fromEntries(
  CASE_STATES.map((state) => [state, deepFreeze(caseIn(state, context))]),
) as Record<CaseState, Case>;

const pairs = COMMAND_KINDS.flatMap((kind) =>
  CASE_STATES.map((state) => ({ kind, state, expected: EXPECTED[kind][state] })),
);

describe("every (state, command) pair", () => {
  it("covers states x commands exactly", () => {
    expect(COMMAND_KINDS).toHaveLength(25);
    expect(CASE_STATES).toHaveLength(8);
    expect(new Set(pairs.map((p) => `${p.state}/${p.kind}`)).size).toBe(
      CASE_STATES.length * COMMAND_KINDS.length,
    );
  });

  it.each(pairs)("$state + $kind -> $expected", ({ kind, state, expected }) => {
    const before = representatives[state];
    const command = REPRESENTATIVE[kind](before);
    expect(command.kind).toBe(kind);
    const decision = decide(before, command, context);
    if (isState(expected)) {
      if (!decision.ok)
        throw new Error(`refused: ${decision.refusal.code} ${decision.refusal.message}`);
      expect(decision.case.state).toBe(expected);
      expect(decision.case.version).toBe(before.version + 1);
      expect(decision.events.length).toBeGreaterThan(0);
    } else {
      expect(decision.ok ? `accepted -> ${decision.case.state}` : decision.refusal.code).toBe(
        expected,
      );
    }
  });

  it("opens a case only when there is none", () => {
    const decision = decide(undefined, commands.openCase(new Date()), context);
    expect(decision.ok && decision.case.state).toBe("intake");
    expect(decision.ok && decision.case.version).toBe(1);
  });

  it.each(COMMAND_KINDS.filter((kind) => kind !== "openCase"))(
    "refuses %s without a case with CASE_NOT_OPEN",
    (kind) => {
      const decision = decide(undefined, REPRESENTATIVE[kind](representatives.intake), context);
      expect(decision.ok ? "accepted" : decision.refusal.code).toBe("CASE_NOT_OPEN");
    },
  );
});
