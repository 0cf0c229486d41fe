// The one way a case changes: read the case with its facts, ask the policy engine, then store the
// new case, its audit entries, the customer links and codes it needs, the billing effects and the
// outgoing messages together, in one transaction.
//
// The usual path is optimistic: one read, the engine, one write statement that lands only if the
// case is still at the version it was read at (src/db/repositories/case-writes.repository.ts).
// When another writer got there first, the command is decided again on the new state (unless the
// caller pinned the version it saw: then 409 CASE_CHANGED). After a few collisions it falls back
// to locking the row, so a crowd of requests on one case always ends.
import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "../db/db-errors.ts";
import {
  readCaseSnapshot,
  readOpeningSnapshot,
} from "../db/repositories/case-snapshot.repository.ts";
import {
  type CaseChange,
  type IdempotentAnswer,
  type NewCustomerLink,
  type NewIdentityCode,
  writeCaseChange,
} from "../db/repositories/case-writes.repository.ts";
import { caseReference } from "../db/repositories/cases.repository.ts";
import {
  type LinkPurpose,
  recordIdentityCodeAttempt,
} from "../db/repositories/customer-links.repository.ts";
import type { NewOutboxMessage } from "../db/repositories/outbox.repository.ts";
import { findSubscriptionById } from "../db/repositories/subscriptions.repository.ts";
import { type Actor, apiKeyActor } from "../domain/actor.ts";
import type { Case } from "../domain/case.ts";
import type { Command, OpenCase } from "../domain/commands.ts";
import type { Subscription } from "../domain/customer.ts";
import { decide } from "../domain/decide.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { CaseEvent } from "../domain/events.ts";
import { type OutboxMessage, outboxForDecision } from "../domain/outbox.ts";
import { refusalToAppError } from "../domain/rules.ts";
import type { Principal } from "../domain/staff.ts";
import type { EffectResult } from "../integrations/billing/billing-adapter.ts";
import {
  assembleCaseFacts,
  type CaseFacts,
  factsOfSnapshot,
  getCurrentPolicy,
  getPolicy,
} from "./case-facts.ts";
import type { AppContext, Db, Trx } from "./context.ts";
import {
  identityCode,
  identityCodeHash,
  linkToken,
  linkTokenHash,
  newNonce,
} from "./customer-secrets.ts";
import { safeEqual } from "./secrets.ts";

export type CaseServices = AppContext;

export function actorOf(principal: Principal): Actor {
  // An API key acts as staff with its role, never as the customer: only the customer's own
  // submission of the form or the survey counts.
  return principal.kind === "user"
    ? { kind: "staff", userId: principal.userId, role: principal.role }
    : apiKeyActor(principal.apiKeyId, principal.role);
}

export interface CommandResult {
  case: Case;
  events: CaseEvent[];
  /** The facts the decision was made with (the subscription as it is after billing effects). */
  facts: CaseFacts;
}

/** What runCaseCommand checked for the command (see CommandOptions.identityCode). */
export interface CommandChecks {
  /** The code given matches the live identity code of the case (false when there is none). */
  identityCodeMatches: boolean;
}

/** What a command is built from: the case as read, the facts, the clock and the checks. */
export type CommandBuilder = (
  current: Case,
  facts: CaseFacts,
  now: Date,
  checks: CommandChecks,
) => Command;

export interface CommandOptions {
  /** The version the caller saw: a different one is refused with CASE_CHANGED, never redecided. */
  expectedVersion?: number | undefined;
  /** Run inside this transaction (the case row is locked there), e.g. with a code check. */
  trx?: Trx;
  /**
   * Staff the command names besides the case's and account's AM and CSM (escalate, reassign),
   * by the field that names them: one who is not an active staff member is a 400 on that field.
   */
  namedStaff?: Readonly<Record<string, string | null | undefined>>;
  /**
   * A customer link the command uses up: the write marks it used and lands only while it is
   * unused; `recheck` reads it again before a retry, and on the locking path once the case is
   * locked (the case's row, taken first as the optimistic write takes it, guards the link too).
   */
  useLink?: { tokenHash: string; recheck: (db: Db) => Promise<void> };
  /**
   * A code the customer gave (read back to staff or typed on their page): it is checked against
   * the case's live identity code, read with the case. The attempt is counted with the write (or
   * on its own when the engine refuses) and the write lands only while that code is still live.
   */
  identityCode?: string;
  /** Refuses before the engine runs (e.g. the customer's page must name the contact on file). */
  guard?: (current: Case, facts: CaseFacts) => void;
  /** The request's Idempotency-Key claim: its answer is stored by the command's own write. */
  keepAnswer?: AnswerKeeper | undefined;
}

/**
 * An Idempotency-Key claim whose answer is written together with the case, so a request that
 * changed the case always leaves its answer for a repeat, even when the server stops before it
 * replies (storing it afterwards left a window in which a retry ran the command again).
 */
export interface AnswerKeeper {
  claim: { principal: string; key: string; token: string };
  statusCode: number;
  /** The body the request will be answered with for this result; called before each write. */
  render: (result: CommandResult) => Promise<unknown>;
}

/** The answer row a keeper's claim gets for this result. */
async function keptAnswer(keeper: AnswerKeeper, result: CommandResult): Promise<IdempotentAnswer> {
  const body = await keeper.render(result);
  return {
    ...keeper.claim,
    statusCode: keeper.statusCode,
    response: JSON.stringify(body ?? null),
  };
}

/** Optimistic attempts before the command waits for the row lock instead. */
const OPTIMISTIC_ATTEMPTS = 3;

/** A write that found the case moved on; caught by runCaseCommand, which decides again. */
class CaseMovedOn extends Error {}

function caseChanged(expectedVersion: number, currentVersion?: number): AppError {
  return new AppError(
    "CASE_CHANGED",
    currentVersion === undefined
      ? "The case changed while this was being saved. Reload it and try again."
      : `The case changed since you loaded it (you saw version ${expectedVersion}, it is now at ${currentVersion}). Reload it and try again.`,
    currentVersion === undefined ? {} : { details: { currentVersion } },
  );
}

/** Runs one command on a case given by id or reference (CD-2026-00042). */
export async function runCaseCommand(
  services: CaseServices,
  caseIdOrReference: string,
  build: CommandBuilder,
  options: CommandOptions = {},
): Promise<CommandResult> {
  if (options.trx) return attempt(services, options.trx, caseIdOrReference, build, options, true);
  for (let tries = 0; tries < OPTIMISTIC_ATTEMPTS; tries++) {
    try {
      // The caller checked the link before the first attempt; a retry follows a collision.
      if (tries > 0) await options.useLink?.recheck(services.db);
      return await attempt(services, services.db, caseIdOrReference, build, options, false);
    } catch (error) {
      if (!(error instanceof CaseMovedOn)) throw error;
      if (options.expectedVersion !== undefined) throw caseChanged(options.expectedVersion);
    }
  }
  // A refusal writes nothing but a checked code's attempt, which must still count: the
  // transaction commits and the refusal is thrown after it.
  let refusal: AppError | undefined;
  const result = await services.db.transaction().execute(async (trx) => {
    try {
      return await attempt(services, trx, caseIdOrReference, build, options, true);
    } catch (error) {
      if (!(error instanceof AppError && error.kind === "POLICY_RULE")) throw error;
      refusal = error;
      return undefined;
    }
  });
  if (result === undefined) throw refusal;
  return result;
}

async function attempt(
  services: CaseServices,
  db: Db,
  caseIdOrReference: string,
  build: CommandBuilder,
  options: CommandOptions,
  lock: boolean,
): Promise<CommandResult> {
  const named = Object.entries(options.namedStaff ?? {}).filter(
    (entry): entry is [string, string] => !!entry[1],
  );
  const snapshot = await readCaseSnapshot(db, caseIdOrReference, {
    lock,
    namedStaffIds: named.map(([, id]) => id),
    withIdentityCode: options.identityCode !== undefined,
  });
  if (!snapshot) throw notFound("Case", caseIdOrReference);
  // The snapshot knows the roles of active staff only.
  for (const [field, id] of named) {
    if (!snapshot.staffRoles[id]) throw invalidField(field, "is not an active staff member");
  }
  // Locked, the case cannot move on, nor its link be used or replaced: check the link once here.
  if (lock) await options.useLink?.recheck(db);
  const current = snapshot.case;
  if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
    throw caseChanged(options.expectedVersion, current.version);
  }
  const facts = await factsOfSnapshot(db, snapshot, services.db);
  options.guard?.(current, facts);
  const now = services.now();
  // An expired code is not checked (nor counted): the engine refuses it or counts a failure.
  const live = snapshot.liveIdentityCode;
  const code = live && live.expiresAt > now ? live : undefined;
  const codeMatches =
    options.identityCode !== undefined &&
    !!code &&
    safeEqual(
      code.codeHash,
      identityCodeHash(services.sessionSecret, code.id, options.identityCode),
    );
  const decision = decide(
    current,
    build(current, facts, now, { identityCodeMatches: codeMatches }),
    facts.context,
  );
  if (!decision.ok) {
    // A customer whose link was used meanwhile (a second click) is told that, not the rule the
    // first submission now trips (the form is already submitted).
    if (!lock) await options.useLink?.recheck(db);
    // A code checked against a live code counts as an attempt even when the engine refuses.
    if (code) await recordIdentityCodeAttempt(db, code.id, codeMatches, now);
    throw refusalToAppError(decision.refusal);
  }
  const change = planChange(services, decision.case, decision.events, facts, now, {
    expectedVersion: current.version,
    auditTip: { seq: snapshot.lastAuditSeq, hash: snapshot.lastAuditHash },
  });
  if (options.useLink) change.useLink = options.useLink.tokenHash;
  // A live code is read only when the command gives one to check.
  if (code) change.identityCodeAttempt = { id: code.id, used: codeMatches };
  const write = async (trx: Db): Promise<CommandResult> => {
    const billed = await applyBillingEffects(
      services,
      trx as Trx,
      decision.case,
      decision.events,
      now,
    );
    let result: CommandResult = { case: decision.case, events: decision.events, facts };
    if (billed.any) {
      // The adapter usually answers the subscription as it left it; else it is read again.
      const subscription =
        billed.subscription ?? (await findSubscriptionById(trx, result.case.subscriptionId));
      if (subscription) result = withSubscription(result, subscription);
    }
    if (options.keepAnswer) change.idempotentAnswer = await keptAnswer(options.keepAnswer, result);
    if (!(await writeChangeOrFail(trx, change))) throw new CaseMovedOn();
    return result;
  };
  // Billing effects and the case commit together; without them the write is one statement.
  if (lock || !hasBillingEffects(decision.events)) return write(db);
  return services.db.transaction().execute(write);
}

async function writeChangeOrFail(db: Db, change: CaseChange): Promise<boolean> {
  try {
    return await writeCaseChange(db, change);
  } catch (error) {
    // An entry appended to the case's audit chain meanwhile (a reactivation) takes the seq.
    if (isUniqueViolation(error) && change.expectedVersion !== null) return false;
    throw error;
  }
}

function withSubscription(result: CommandResult, subscription: Subscription): CommandResult {
  const { context } = result.facts;
  return {
    ...result,
    facts: {
      ...result.facts,
      context: {
        ...context,
        subscription: {
          ...context.subscription,
          monthlyValueMinor: subscription.monthlyValueMinor,
          status: subscription.status,
          currentPeriodEnd: subscription.currentPeriodEnd,
        },
      },
    },
  };
}

function hasBillingEffects(events: readonly CaseEvent[]): boolean {
  return events.some((e) => e.type === "offer_accepted" || e.type === "cancellation_processed");
}

/**
 * Applies the decision's billing effects through the adapter: whether there were any, and the
 * subscription as the last one left it when the adapter answered it.
 */
async function applyBillingEffects(
  services: CaseServices,
  trx: Trx,
  after: Case,
  events: readonly CaseEvent[],
  now: Date,
): Promise<{ any: boolean; subscription?: Subscription | undefined }> {
  let any = false;
  let subscription: Subscription | undefined;
  const keep = (result: EffectResult) => {
    if (result.applied && result.subscription) subscription = result.subscription;
  };
  for (const event of events) {
    if (event.type === "offer_accepted") {
      any = true;
      keep(
        await services.billing.applyOffer(trx, {
          effectKey: `${after.id}:apply-offer:${event.offer.code}`,
          subscriptionId: event.subscriptionId,
          caseId: after.id,
          offer: event.offer,
          customTerms: event.customTerms,
          now,
        }),
      );
    }
    if (event.type === "cancellation_processed") {
      any = true;
      keep(
        await services.billing.cancel(trx, {
          effectKey: `${after.id}:cancel`,
          subscriptionId: event.subscriptionId,
          caseId: after.id,
          mode: event.mode,
          effectiveAt: new Date(event.effectiveAt),
        }),
      );
    }
  }
  return { any, subscription };
}

export type OpenCaseInput = Omit<OpenCase, "kind" | "caseId" | "reference" | "now" | "actor">;

function invalidField(field: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `${field}: ${message}`, {
    fields: [{ field, message }],
  });
}

export async function openCase(
  services: CaseServices,
  actor: Actor,
  input: OpenCaseInput,
  options: { trx?: Trx; keepAnswer?: AnswerKeeper | undefined } = {},
): Promise<CommandResult> {
  const db = options.trx ?? services.db;
  const opening = await readOpeningSnapshot(db, {
    ...input,
    namedStaffIds: input.assignedAmId ? [input.assignedAmId] : [],
  });
  const { account, requester, subscription } = opening;
  if (!account) throw invalidField("accountId", "is not an existing account");
  if (input.assignedAmId && !opening.staffRoles[input.assignedAmId]) {
    throw invalidField("assignedAmId", "is not an active staff member");
  }
  if (!requester || requester.accountId !== account.id) {
    throw invalidField("requesterContactId", "is not a contact of this account");
  }
  if (!subscription || subscription.accountId !== account.id) {
    throw invalidField("subscriptionId", "is not a subscription of this account");
  }
  const policy =
    opening.currentPolicyVersion === null
      ? await getCurrentPolicy(db)
      : await getPolicy(db, opening.currentPolicyVersion, services.db);
  const facts = assembleCaseFacts({
    ...opening,
    account,
    requester,
    subscription,
    policy: policy.definition,
  });
  const now = services.now();
  const command: OpenCase = {
    kind: "openCase",
    ...input,
    caseId: randomUUID(),
    reference: caseReference(now.getUTCFullYear(), opening.referenceNumber),
    actor,
    now,
  };
  const decision = decide(undefined, command, facts.context);
  if (!decision.ok) throw refusalToAppError(decision.refusal);
  const change = planChange(services, decision.case, decision.events, facts, now, {
    expectedVersion: null,
    auditTip: { seq: 0, hash: null },
  });
  const result = { case: decision.case, events: decision.events, facts };
  if (options.keepAnswer) change.idempotentAnswer = await keptAnswer(options.keepAnswer, result);
  try {
    await writeCaseChange(db, change);
  } catch (error) {
    // The one-open-case-per-subscription index: a second request joins the first instead.
    if (isUniqueViolation(error)) throw caseAlreadyOpen();
    throw error;
  }
  return result;
}

function caseAlreadyOpen(): AppError {
  return new AppError(
    "CONFLICT",
    "This subscription already has an open cancellation case: work on that case instead.",
    {
      code: "CASE_ALREADY_OPEN",
    },
  );
}

function linkPurposeOf(message: OutboxMessage): LinkPurpose | undefined {
  if (message.kind === "form_link") return "form";
  if (message.kind === "feedback_request") return "feedback";
  if (message.kind === "offer_link") return `offer:${message.offerCode}`;
  return undefined;
}

/**
 * The rows one accepted decision writes besides the case: audit entries, customer links and
 * identity codes (their secrets are made here; only hashes are stored, the nonces travel in the
 * outbox payload for delivery) and the outbox messages.
 */
function planChange(
  services: CaseServices,
  after: Case,
  events: readonly CaseEvent[],
  facts: CaseFacts,
  now: Date,
  at: Pick<CaseChange, "expectedVersion" | "auditTip">,
): CaseChange {
  const change: CaseChange = {
    ...at,
    case: after,
    auditEntries: events.map(({ caseId: _c, version, at, actor, type, ...body }) => ({
      type,
      caseVersion: version,
      actor,
      at,
      body: { type, ...body },
    })),
    supersedeLinks: [],
    links: [],
    identityCodes: [],
    outbox: [],
    now,
  };
  for (const message of outboxForDecision(events, after)) {
    // The billing adapter applies billing effects in the same transaction: nothing to queue.
    if (message.kind === "billing_apply_offer" || message.kind === "billing_cancel_subscription")
      continue;
    change.outbox.push(toOutboxRow(services, change, after, message, facts));
  }
  return change;
}

/**
 * Entries for a case's audit log that do not change the case itself (a reactivation of its
 * subscription), with their messages, inside a transaction that holds the case's row lock.
 */
export async function recordCaseEvents(
  services: CaseServices,
  trx: Trx,
  c: Case,
  events: CaseEvent[],
  now: Date,
): Promise<void> {
  const snapshot = await readCaseSnapshot(trx, c.id, { lock: true });
  if (!snapshot) throw notFound("Case", c.id);
  const facts = await factsOfSnapshot(trx, snapshot, services.db);
  const change = planChange(services, c, events, facts, now, {
    expectedVersion: c.version,
    auditTip: { seq: snapshot.lastAuditSeq, hash: snapshot.lastAuditHash },
  });
  if (!(await writeCaseChange(trx, change))) throw caseChanged(c.version, snapshot.case.version);
}

function toOutboxRow(
  services: CaseServices,
  change: CaseChange,
  after: Case,
  message: OutboxMessage,
  facts: CaseFacts,
): NewOutboxMessage {
  const { requester } = facts;
  const { caseId, dedupeKey, ...payload } = message;
  const base = { caseId, dedupeKey, topic: message.kind };
  if (message.kind === "staff_notification") {
    return {
      ...base,
      channel: "staff",
      recipient: { userId: message.userId },
      payload: { ...payload, reference: after.reference },
    };
  }
  if (message.kind === "webhook") {
    return {
      ...base,
      channel: "webhook",
      recipient: {},
      payload: { ...payload, reference: after.reference, caseVersion: after.version },
    };
  }
  if (message.kind === "billing_apply_offer" || message.kind === "billing_cancel_subscription") {
    throw new Error("billing effects are applied by the billing adapter, not queued");
  }
  const recipient = {
    contactId: requester.id,
    name: requester.name,
    ...(message.channel === "sms" ? { phone: requester.phone } : { email: requester.email }),
  };
  const secrets: Record<string, string> = {};
  if (message.kind === "identity_code") {
    const nonce = newNonce();
    const codeId = randomUUID();
    const { codeLength } = facts.context.policy.identity;
    const code = identityCode(services.sessionSecret, nonce, codeLength);
    const identity: NewIdentityCode = {
      id: codeId,
      contactId: requester.id,
      codeHash: identityCodeHash(services.sessionSecret, codeId, code),
      expiresAt: new Date(message.expiresAt),
    };
    change.identityCodes.push(identity);
    Object.assign(secrets, { codeNonce: nonce, codeId, codeLength: String(codeLength) });
  }
  const purpose = linkPurposeOf(message);
  if (purpose && "expiresAt" in message) {
    const nonce = newNonce();
    // Only the latest form or survey link works; an offer link is one per offer.
    if (!purpose.startsWith("offer:")) change.supersedeLinks.push(purpose);
    const link: NewCustomerLink = {
      tokenHash: linkTokenHash(linkToken(services.sessionSecret, nonce)),
      contactId: requester.id,
      purpose,
      expiresAt: new Date(message.expiresAt),
    };
    change.links.push(link);
    secrets.linkNonce = nonce;
  }
  return {
    ...base,
    channel: message.channel,
    recipient,
    payload: { ...payload, reference: after.reference, ...secrets },
  };
}
