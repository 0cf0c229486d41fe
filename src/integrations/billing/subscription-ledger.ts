// The built-in subscription ledger: changes subscriptions in CancelDesk's own database, inside
// the case's transaction, and records each effect under its key so that a retried or doubled
// request changes the subscription once.
import { type Kysely, sql, type Transaction } from "kysely";
import { compileOnce } from "../../db/prepared-statements.ts";
import { toSubscription } from "../../db/repositories/subscriptions.repository.ts";
import type { Database } from "../../db/tables/tables.ts";
import { AppError } from "../../domain/errors.ts";
import type { BillingAdapter, EffectResult } from "./billing-adapter.ts";

type Trx = Transaction<Database>;

function addMonths(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}

const insertEffect = compileOnce(
  (
    db: Kysely<Database>,
    effectKey: string,
    subscriptionId: string,
    caseId: string | null,
    kind: string,
    detailsJson: string,
  ) =>
    db
      .insertInto("subscription_effects")
      .values({
        effect_key: effectKey,
        subscription_id: subscriptionId,
        case_id: caseId,
        kind,
        details: detailsJson,
      })
      .onConflict((oc) => oc.column("effect_key").doNothing())
      .returning("effect_key"),
);

/** Records the effect; false when the same key was applied before (so nothing more is done). */
async function recordEffect(
  trx: Trx,
  effect: {
    effectKey: string;
    subscriptionId: string;
    caseId: string | null;
    kind: string;
    details: unknown;
  },
): Promise<boolean> {
  const inserted = await insertEffect(
    trx,
    effect.effectKey,
    effect.subscriptionId,
    effect.caseId,
    effect.kind,
    JSON.stringify(effect.details),
  );
  return inserted.rows.length > 0;
}

async function lockSubscription(trx: Trx, id: string) {
  const row = await trx
    .selectFrom("subscriptions")
    .selectAll()
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", `Subscription ${id} was not found.`);
  return row;
}

const ALREADY: EffectResult = { applied: false, reason: "already_applied" };

/**
 * Cancels (now or at the end of the term) a subscription that is not cancelled yet, answering it
 * as it is afterwards; no row when it is already cancelled or does not exist.
 */
const cancelSubscription = compileOnce(
  (
    db: Kysely<Database>,
    id: string,
    status: "cancelled" | "cancellation_scheduled",
    cancelAt: Date,
    cancelledAt: Date | null,
  ) =>
    db
      .updateTable("subscriptions")
      .set((eb) => ({
        status,
        cancel_at: cancelAt,
        cancelled_at: cancelledAt,
        version: eb("version", "+", 1),
        updated_at: sql`now()`,
      }))
      .where("id", "=", id)
      .where("status", "<>", "cancelled")
      .returningAll(),
);

export const subscriptionLedger: BillingAdapter = {
  async applyDueChanges(db, now) {
    // Each change is recorded as an effect under a key of its date, so running twice (or on two
    // workers at once) changes a subscription once.
    return db.transaction().execute(async (trx) => {
      const ended = await sql<{ id: string; cancel_at: Date }>`
        update subscriptions
        set status = 'cancelled', cancelled_at = cancel_at, version = version + 1, updated_at = now()
        where status = 'cancellation_scheduled' and cancel_at <= ${now}
        returning id, cancel_at`.execute(trx);
      const resumed = await sql<{ id: string; paused_until: Date }>`
        update subscriptions s
        set status = 'active', paused_until = null, version = s.version + 1, updated_at = now()
        from (select id, paused_until from subscriptions
              where status = 'paused' and paused_until <= ${now} for update) due
        where s.id = due.id
        returning s.id, due.paused_until`.execute(trx);
      const changes = [
        ...ended.rows.map((r) => ({ id: r.id, kind: "cancellation_took_effect", at: r.cancel_at })),
        ...resumed.rows.map((r) => ({ id: r.id, kind: "pause_ended", at: r.paused_until })),
      ];
      for (const change of changes) {
        const at = new Date(change.at).toISOString();
        await recordEffect(trx, {
          effectKey: `${change.id}:${change.kind}:${at}`,
          subscriptionId: change.id,
          caseId: null,
          kind: change.kind,
          details: { at },
        });
      }
      return changes.length;
    });
  },
  async cancel(trx, effect) {
    // The effect is recorded first: a doubled request waits on its key and changes nothing. The
    // update takes the subscription's row lock and answers the row, so no lock or reload is read.
    if (
      !(await recordEffect(trx, {
        ...effect,
        kind: `cancel_${effect.mode}`,
        details: { effectiveAt: effect.effectiveAt.toISOString() },
      }))
    ) {
      return ALREADY;
    }
    const immediate = effect.mode === "immediately";
    const [row] = (
      await cancelSubscription(
        trx,
        effect.subscriptionId,
        immediate ? "cancelled" : "cancellation_scheduled",
        effect.effectiveAt,
        immediate ? effect.effectiveAt : null,
      )
    ).rows;
    if (!row) {
      await lockSubscription(trx, effect.subscriptionId); // not found -> NOT_FOUND
      throw new AppError("CONFLICT", "The subscription is already cancelled.");
    }
    return { applied: true, subscription: toSubscription(row) };
  },

  async applyOffer(trx, application) {
    const subscription = await lockSubscription(trx, application.subscriptionId);
    const { offer, now } = application;
    if (
      !(await recordEffect(trx, {
        ...application,
        kind: `offer_${offer.kind}`,
        details: {
          offerCode: offer.code,
          parameters: offer.parameters,
          customTerms: application.customTerms,
        },
      }))
    ) {
      return ALREADY;
    }
    switch (offer.kind) {
      case "discount":
        await trx
          .updateTable("subscriptions")
          .set((eb) => ({
            discount_percent: offer.parameters.percentOff,
            discount_ends_at: addMonths(now, offer.parameters.months),
            version: eb("version", "+", 1),
            updated_at: sql`now()`,
          }))
          .where("id", "=", subscription.id)
          .execute();
        break;
      case "pause":
        await trx
          .updateTable("subscriptions")
          .set((eb) => ({
            status: "paused",
            paused_until: addMonths(now, offer.parameters.pauseMonths),
            version: eb("version", "+", 1),
            updated_at: sql`now()`,
          }))
          .where("id", "=", subscription.id)
          .execute();
        break;
      case "downgrade": {
        const plan = await trx
          .selectFrom("plans")
          .select(["id", "monthly_price_minor", "currency"])
          .where("code", "=", offer.parameters.toPlanCode)
          .executeTakeFirst();
        if (!plan)
          throw new AppError(
            "CONFLICT",
            `The plan ${offer.parameters.toPlanCode} of this offer does not exist.`,
          );
        await trx
          .updateTable("subscriptions")
          .set((eb) => ({
            plan_id: plan.id,
            // Plan prices are per seat a month: the same seats at the new plan's list price.
            monthly_value_minor: sql<string>`${eb.ref("seats")} * ${plan.monthly_price_minor}::bigint`,
            currency: plan.currency,
            version: eb("version", "+", 1),
            updated_at: sql`now()`,
          }))
          .where("id", "=", subscription.id)
          .execute();
        break;
      }
      case "extension":
        await trx
          .updateTable("subscriptions")
          .set((eb) => ({
            current_period_end: new Date(
              subscription.current_period_end.getTime() +
                offer.parameters.extensionDays * 86_400_000,
            ),
            version: eb("version", "+", 1),
            updated_at: sql`now()`,
          }))
          .where("id", "=", subscription.id)
          .execute();
        break;
      case "training":
      case "support":
      case "custom":
        // Services and custom terms change no billing field; the recorded effect is the evidence.
        break;
    }
    return { applied: true };
  },

  async reactivate(trx, reactivation) {
    const subscription = await lockSubscription(trx, reactivation.subscriptionId);
    if (subscription.status !== "cancellation_scheduled") {
      throw new AppError(
        "CONFLICT",
        "Only a subscription with a scheduled cancellation can be reactivated.",
        {
          code: "NOT_SCHEDULED_FOR_CANCELLATION",
        },
      );
    }
    if (subscription.cancel_at && subscription.cancel_at <= reactivation.now) {
      throw new AppError(
        "CONFLICT",
        "The cancellation has already taken effect; it can no longer be undone.",
        {
          code: "CANCELLATION_IN_EFFECT",
        },
      );
    }
    if (
      !(await recordEffect(trx, {
        ...reactivation,
        kind: "reactivate",
        details: { cancelAt: subscription.cancel_at?.toISOString() ?? null },
      }))
    ) {
      return ALREADY;
    }
    await trx
      .updateTable("subscriptions")
      .set((eb) => ({
        status: "active",
        cancel_at: null,
        version: eb("version", "+", 1),
        updated_at: sql`now()`,
      }))
      .where("id", "=", subscription.id)
      .execute();
    return { applied: true };
  },
};
