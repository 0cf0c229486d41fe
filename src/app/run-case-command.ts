// The one way a case changes: in a single transaction, lock the case, check the version the
// caller saw, load the facts, ask the policy engine, then store the new case, its audit entries,
// the customer links and codes it needs, the billing effects and the outgoing messages together.
import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "../db/db-errors.ts";
import { appendAuditEntries } from "../db/repositories/audit.repository.ts";
import {
  findCaseForUpdate,
  insertCase,
  nextCaseReference,
  updateCase,
} from "../db/repositories/cases.repository.ts";
import {
  insertCustomerLink,
  insertIdentityCode,
  type LinkPurpose,
  supersedeCustomerLinks,
} from "../db/repositories/customer-links.repository.ts";
import { enqueueMessages, type NewOutboxMessage } from "../db/repositories/outbox.repository.ts";
import type { Actor } from "../domain/actor.ts";
import type { Case } from "../domain/case.ts";
import type { Command, OpenCase } from "../domain/commands.ts";
import { decide } from "../domain/decide.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { CaseEvent } from "../domain/events.ts";
import { type OutboxMessage, outboxForDecision, type WebhookTopic } from "../domain/outbox.ts";
import { refusalToAppError } from "../domain/rules.ts";
import type { Principal } from "../domain/staff.ts";
import { type CaseFacts, loadCaseFacts } from "./case-facts.ts";
import type { AppContext, Trx } from "./context.ts";
import {
  identityCode,
  identityCodeHash,
  linkToken,
  linkTokenHash,
  newNonce,
} from "./customer-secrets.ts";

export type CaseServices = AppContext;

export function actorOf(principal: Principal): Actor {
  // An API key acts as staff with its role, never as the customer: only the customer's own
  // submission of the form or the survey counts.
  return principal.kind === "user"
    ? { kind: "staff", userId: principal.userId, role: principal.role }
    : { kind: "staff", userId: `api-key:${principal.apiKeyId}`, role: principal.role };
}

export interface CommandResult {
  case: Case;
  events: CaseEvent[];
}

/** What a command is built from: the case as locked, the facts, and the clock. */
export type CommandBuilder = (current: Case, facts: CaseFacts, now: Date) => Command;

export async function runCaseCommand(
  services: CaseServices,
  caseId: string,
  build: CommandBuilder,
  options: { expectedVersion?: number | undefined; trx?: Trx } = {},
): Promise<CommandResult> {
  const work = async (trx: Trx): Promise<CommandResult> => {
    const current = await findCaseForUpdate(trx, caseId);
    if (!current) throw notFound("Case", caseId);
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      throw new AppError(
        "CASE_CHANGED",
        `The case changed since you loaded it (you saw version ${options.expectedVersion}, it is now at ${current.version}). Reload it and try again.`,
        { details: { currentVersion: current.version } },
      );
    }
    const facts = await loadCaseFacts(trx, { ...current, policyVersion: current.policyVersion });
    const now = services.now();
    const command = build(current, facts, now);
    const decision = decide(current, command, facts.context);
    if (!decision.ok) throw refusalToAppError(decision.refusal);
    // The row is locked, so this cannot lose; the version check is a second line of defence.
    if (!(await updateCase(trx, decision.case, current.version))) {
      throw new AppError(
        "CASE_CHANGED",
        "The case changed while this was being saved. Reload it and try again.",
        {
          details: { currentVersion: current.version + 1 },
        },
      );
    }
    await recordConsequences(services, trx, decision.case, decision.events, facts, now);
    return { case: decision.case, events: decision.events };
  };
  return options.trx ? work(options.trx) : services.db.transaction().execute(work);
}

export type OpenCaseInput = Omit<OpenCase, "kind" | "caseId" | "reference" | "now" | "actor">;

export async function openCase(
  services: CaseServices,
  actor: Actor,
  input: OpenCaseInput,
  options: { trx?: Trx } = {},
): Promise<CommandResult> {
  const work = async (trx: Trx): Promise<CommandResult> => {
    const facts = await loadCaseFacts(trx, { ...input, policyVersion: "current" });
    const now = services.now();
    const command: OpenCase = {
      kind: "openCase",
      ...input,
      caseId: randomUUID(),
      reference: await nextCaseReference(trx, now.getUTCFullYear()),
      actor,
      now,
    };
    const decision = decide(undefined, command, facts.context);
    if (!decision.ok) throw refusalToAppError(decision.refusal);
    try {
      await insertCase(trx, decision.case);
    } catch (error) {
      // The one-open-case-per-subscription index: a second request joins the first instead.
      if (isUniqueViolation(error)) throw caseAlreadyOpen();
      throw error;
    }
    await recordConsequences(services, trx, decision.case, decision.events, facts, now);
    return { case: decision.case, events: decision.events };
  };
  return options.trx ? work(options.trx) : services.db.transaction().execute(work);
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

/** Audit entries, links, codes, billing effects and outbox rows of one accepted decision. */
export async function recordConsequences(
  services: CaseServices,
  trx: Trx,
  after: Case,
  events: CaseEvent[],
  facts: CaseFacts,
  now: Date,
): Promise<void> {
  await appendAuditEntries(
    trx,
    after.id,
    events.map(({ caseId: _c, version, at, actor, type, ...body }) => ({
      type,
      caseVersion: version,
      actor,
      at,
      body: { type, ...body },
    })),
  );

  for (const event of events) {
    if (event.type === "offer_accepted") {
      await services.billing.applyOffer(trx, {
        effectKey: `${after.id}:apply-offer:${event.offer.code}`,
        subscriptionId: event.subscriptionId,
        caseId: after.id,
        offer: event.offer,
        customTerms: event.customTerms,
        now,
      });
    }
    if (event.type === "cancellation_processed") {
      await services.billing.cancel(trx, {
        effectKey: `${after.id}:cancel`,
        subscriptionId: event.subscriptionId,
        caseId: after.id,
        mode: event.mode,
        effectiveAt: new Date(event.effectiveAt),
      });
    }
  }

  const messages: NewOutboxMessage[] = [];
  for (const message of [...outboxForDecision(events, after), ...extraWebhooks(events)]) {
    // The built-in ledger applied the billing effects above, in this transaction.
    if (message.kind === "billing_apply_offer" || message.kind === "billing_cancel_subscription")
      continue;
    messages.push(await toOutboxRow(services, trx, after, message, facts, now));
  }
  await enqueueMessages(trx, messages, now);
}

/**
 * Webhook topics other systems subscribe to that the engine's outbox mapping does not (yet) ask
 * for: identity verified and form submitted. Kept here so the pure engine stays unchanged.
 */
function extraWebhooks(events: readonly CaseEvent[]): OutboxMessage[] {
  const topics: Partial<Record<CaseEvent["type"], WebhookTopic>> = {
    identity_verified: "case.identity_verified",
    form_submitted: "case.form_submitted",
  };
  return events.flatMap((event) => {
    const topic = topics[event.type];
    return topic
      ? [
          {
            kind: "webhook" as const,
            topic,
            caseId: event.caseId,
            dedupeKey: `${event.caseId}:${event.version}:${event.type}:webhook`,
          },
        ]
      : [];
  });
}

async function toOutboxRow(
  services: CaseServices,
  trx: Trx,
  after: Case,
  message: OutboxMessage,
  facts: CaseFacts,
  now: Date,
): Promise<NewOutboxMessage> {
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
    const code = identityCode(
      services.sessionSecret,
      nonce,
      facts.context.policy.identity.codeLength,
    );
    await insertIdentityCode(
      trx,
      {
        id: codeId,
        caseId: after.id,
        contactId: requester.id,
        codeHash: identityCodeHash(services.sessionSecret, codeId, code),
        expiresAt: new Date(message.expiresAt),
      },
      now,
    );
    Object.assign(secrets, {
      codeNonce: nonce,
      codeId,
      codeLength: String(facts.context.policy.identity.codeLength),
    });
  }
  const purpose = linkPurposeOf(message);
  if (purpose && "expiresAt" in message) {
    const nonce = newNonce();
    // Only the latest form or survey link works; an offer link is one per offer.
    if (!purpose.startsWith("offer:")) await supersedeCustomerLinks(trx, after.id, purpose, now);
    await insertCustomerLink(trx, {
      tokenHash: linkTokenHash(linkToken(services.sessionSecret, nonce)),
      caseId: after.id,
      contactId: requester.id,
      purpose,
      expiresAt: new Date(message.expiresAt),
    });
    secrets.linkNonce = nonce;
  }
  return {
    ...base,
    channel: message.channel,
    recipient,
    payload: { ...payload, reference: after.reference, ...secrets },
  };
}
