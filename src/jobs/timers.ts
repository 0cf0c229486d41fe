// Everything that happens because time passed: the CSM engagement SLA (at risk, breached: the
// CSM and the admins are told once each), the form reminder and the form link's expiry, offers
// left unanswered, and the feedback request's expiry (the case then closes with its
// documentation). Rules stay in the engine: expiries are system commands through runCaseCommand.
// Timers are queries over the stored cases, so they survive restarts; a case command is claimed
// with SKIP LOCKED (and re-checked by the engine), a notice by its dedupe key, so several
// processes running the timers act once. Time is the injected clock, never the machine's.
import type { AppContext } from "../app/context.ts";
import { runCaseCommand } from "../app/run-case-command.ts";
import { findCaseForUpdate } from "../db/repositories/cases.repository.ts";
import { findContactById } from "../db/repositories/contacts.repository.ts";
import { purgeIdempotencyKeys } from "../db/repositories/idempotency.repository.ts";
import { enqueueMessages, type NewOutboxMessage } from "../db/repositories/outbox.repository.ts";
import { findLatestFormLinkNonce } from "../db/repositories/outbox-delivery.repository.ts";
import {
  findActiveAdminIds,
  findCasesWithOpenFormLinks,
  findCasesWithPendingOffers,
  findEscalationsAwaitingCsm,
  findExpiredFeedbackRequests,
  tryLockCase,
} from "../db/repositories/timers.repository.ts";
import type { Case } from "../domain/case.ts";
import type { Command } from "../domain/commands.ts";
import { AppError } from "../domain/errors.ts";
import type { StaffTopic } from "../domain/outbox.ts";
import { escalationSla, formReminderDueAt } from "../domain/sla.ts";
import { hasPassed } from "../domain/time.ts";
import { PolicyCache } from "./compose-message.ts";
import type { WorkerLog } from "./outbox-worker.ts";

export interface TimerResult {
  formRemindersQueued: number;
  formLinksExpired: number;
  slaNoticesQueued: number;
  offerNoticesQueued: number;
  feedbackRequestsExpired: number;
  casesClosed: number;
  idempotencyKeysPurged: number;
  /** Cases a timer failed on this round (logged); the others went on. */
  casesFailed: number;
  /** Subscriptions whose scheduled cancellation took effect or whose pause ended. */
  subscriptionsChanged: number;
}

/** How long a repeat with the same Idempotency-Key gets the first answer (a day, as Stripe's). */
export const IDEMPOTENCY_KEY_HOURS = 24;

const SYSTEM = { kind: "system" } as const;

function staffNotice(
  c: Case,
  userId: string,
  topic: StaffTopic,
  dedupeKey: string,
  extra: Record<string, unknown> = {},
): NewOutboxMessage {
  return {
    caseId: c.id,
    topic: "staff_notification",
    channel: "staff",
    recipient: { userId },
    payload: { kind: "staff_notification", userId, topic, reference: c.reference, ...extra },
    dedupeKey,
  };
}

/**
 * Runs the commands `plan` asks for on the case, as the system, in one transaction, if no other
 * process holds the case. A refusal means the case moved on meanwhile and is not an error.
 */
async function runSystemCommands(
  ctx: AppContext,
  caseId: string,
  plan: (c: Case) => ((now: Date) => Command)[],
): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await tryLockCase(trx, caseId))) return 0;
    const current = await findCaseForUpdate(trx, caseId);
    if (!current) return 0;
    let done = 0;
    for (const build of plan(current)) {
      try {
        await runCaseCommand(ctx, caseId, (_c, _facts, now) => build(now), { trx });
        done++;
      } catch (error) {
        if (error instanceof AppError && error.kind === "POLICY_RULE") break;
        throw error;
      }
    }
    return done;
  });
}

export async function runTimers(ctx: AppContext, log?: WorkerLog): Promise<TimerResult> {
  const result: TimerResult = {
    formRemindersQueued: 0,
    formLinksExpired: 0,
    slaNoticesQueued: 0,
    offerNoticesQueued: 0,
    feedbackRequestsExpired: 0,
    casesClosed: 0,
    idempotencyKeysPurged: 0,
    casesFailed: 0,
    subscriptionsChanged: 0,
  };
  const policies = new PolicyCache();
  const { db } = ctx;
  // One case a timer cannot handle (found again every round) must not hold up every other case
  // and every later timer: it is logged and counted, and the round goes on.
  const forCase = async (caseId: string, work: () => Promise<number>): Promise<number> => {
    try {
      return await work();
    } catch (error) {
      result.casesFailed++;
      log?.error({ err: error, caseId }, "a timer failed on this case; the others go on");
      return 0;
    }
  };

  // The form: a reminder once per link, then the link's expiry.
  for (const c of await findCasesWithOpenFormLinks(db)) {
    const now = ctx.now();
    const form = c.form;
    if (!form || form.submission) continue;
    if (hasPassed(form.expiresAt, now)) {
      result.formLinksExpired += await forCase(c.id, () =>
        runSystemCommands(ctx, c.id, () => [
          (at) => ({ kind: "expireForm", actor: SYSTEM, now: at }),
        ]),
      );
      continue;
    }
    result.formRemindersQueued += await forCase(c.id, async () => {
      const policy = await policies.get(ctx, c.policyVersion);
      const dueAt = formReminderDueAt(c, policy);
      if (!dueAt || !hasPassed(dueAt, now)) return 0;
      const [nonce, contact] = await Promise.all([
        findLatestFormLinkNonce(db, c.id),
        findContactById(db, c.requesterContactId),
      ]);
      if (!nonce || !contact) return 0;
      const channel = form.deliveryChannel;
      return enqueueMessages(
        db,
        [
          {
            caseId: c.id,
            topic: "form_reminder",
            channel,
            recipient: {
              contactId: contact.id,
              name: contact.name,
              ...(channel === "sms" ? { phone: contact.phone } : { email: contact.email }),
            },
            payload: {
              kind: "form_reminder",
              channel,
              expiresAt: form.expiresAt,
              reference: c.reference,
              linkNonce: nonce,
            },
            dedupeKey: `${c.id}:form-reminder:${form.sentAt}`,
          },
        ],
        now,
      );
    });
  }

  // The CSM engagement SLA: at risk, then breached; the CSM and every admin hear once each.
  const escalations = await findEscalationsAwaitingCsm(db);
  const admins = escalations.length > 0 ? await findActiveAdminIds(db) : [];
  for (const c of escalations) {
    const now = ctx.now();
    const policy = await policies.get(ctx, c.policyVersion);
    const sla = escalationSla(c, policy, now);
    if (!sla || !c.escalation || (sla.status !== "at_risk" && sla.status !== "breached")) continue;
    const topic: StaffTopic = sla.status === "breached" ? "csm_sla_breached" : "csm_sla_at_risk";
    // The CSM the case is with now (reassigned since the escalation, or the one escalated to).
    const recipients = [...new Set([c.assignedCsmId ?? c.escalation.csmId, ...admins])];
    const messages = recipients.map((userId) =>
      staffNotice(c, userId, topic, `${c.id}:${topic}:${c.escalation!.slaDueAt}:${userId}`),
    );
    result.slaNoticesQueued += await forCase(c.id, () => enqueueMessages(db, messages, now));
  }

  // Offers that ran out unanswered: the AM follows up.
  for (const c of await findCasesWithPendingOffers(db)) {
    const now = ctx.now();
    if (!c.assignedAmId) continue;
    const messages = c.offers
      .filter((o) => o.answer === "pending" && hasPassed(o.expiresAt, now))
      .map((o) =>
        staffNotice(
          c,
          c.assignedAmId!,
          "offer_expired",
          `${c.id}:offer-expired:${o.offerCode}:${o.presentedAt}`,
          { offerCode: o.offerCode },
        ),
      );
    result.offerNoticesQueued += await forCase(c.id, () => enqueueMessages(db, messages, now));
  }

  // The feedback request ran out: the case closes with its documentation.
  for (const caseId of await findExpiredFeedbackRequests(db, ctx.now())) {
    let expired = false;
    const done = await forCase(caseId, () =>
      runSystemCommands(ctx, caseId, (c) => {
        expired = !c.feedback?.expiredAt;
        return [
          ...(expired
            ? [(at: Date): Command => ({ kind: "expireFeedbackRequest", actor: SYSTEM, now: at })]
            : []),
          (at: Date): Command => ({
            kind: "closeCase",
            actor: SYSTEM,
            now: at,
            summary: "Closed by CancelDesk: the feedback request expired without an answer.",
          }),
        ];
      }),
    );
    if (expired && done > 0) result.feedbackRequestsExpired++;
    if (done === (expired ? 2 : 1)) result.casesClosed++;
  }

  // Dates that change subscriptions in the system of record, when it leaves them to us.
  try {
    result.subscriptionsChanged = (await ctx.billing.applyDueChanges?.(db, ctx.now())) ?? 0;
  } catch (error) {
    log?.error({ err: error }, "subscription changes due by date failed; they are retried");
  }

  // Kept answers are forgotten after a day: a repeat after that runs again.
  result.idempotencyKeysPurged = await purgeIdempotencyKeys(
    db,
    new Date(ctx.now().getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000),
  );
  return result;
}
