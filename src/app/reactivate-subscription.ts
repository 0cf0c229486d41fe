// Undoing a cancellation scheduled for the end of the term, until it takes effect. The
// subscription goes on; the case that scheduled it stays closed and records the reactivation in
// its audit log, and the customer is told.
import { findCaseForUpdate } from "../db/repositories/cases.repository.ts";
import { findSubscriptionById } from "../db/repositories/subscriptions.repository.ts";
import type { Subscription } from "../domain/customer.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { CaseEvent } from "../domain/events.ts";
import type { Principal } from "../domain/staff.ts";
import type { AppContext } from "./context.ts";
import { recordCaseMetrics } from "./record-case-metrics.ts";
import { actorOf, recordCaseEvents } from "./run-case-command.ts";

export async function reactivateSubscription(
  services: AppContext,
  principal: Principal,
  subscriptionId: string,
): Promise<{ subscription: Subscription; caseId: string | null }> {
  return services.db.transaction().execute(async (trx) => {
    const before = await findSubscriptionById(trx, subscriptionId);
    if (!before) throw notFound("Subscription", subscriptionId);
    if (before.status !== "cancellation_scheduled" || !before.cancelAt) {
      throw new AppError(
        "CONFLICT",
        "Only a subscription with a scheduled cancellation can be reactivated.",
        {
          code: "NOT_SCHEDULED_FOR_CANCELLATION",
        },
      );
    }
    const scheduledBy = await trx
      .selectFrom("subscription_effects")
      .select("case_id")
      .where("subscription_id", "=", subscriptionId)
      .where("kind", "=", "cancel_end_of_term")
      .orderBy("applied_at", "desc")
      .executeTakeFirst();
    const caseId = scheduledBy?.case_id ?? null;
    const c = caseId ? await findCaseForUpdate(trx, caseId) : undefined;
    const now = services.now();
    const cancelAtWas = before.cancelAt.toISOString();
    // One reactivation per scheduled cancellation: a doubled click changes nothing more.
    await services.billing.reactivate(trx, {
      effectKey: `${subscriptionId}:reactivate:${cancelAtWas}`,
      subscriptionId,
      caseId,
      now,
    });
    if (c) {
      const event: CaseEvent = {
        type: "subscription_reactivated",
        subscriptionId,
        cancelAtWas,
        caseId: c.id,
        version: c.version,
        at: now.toISOString(),
        actor: actorOf(principal),
      };
      await recordCaseEvents(services, trx, c, [event], now);
      // The figures stop counting the customer as lost, with the reactivation itself.
      await recordCaseMetrics(trx, [c.id]);
    }
    return { subscription: (await findSubscriptionById(trx, subscriptionId))!, caseId };
  });
}
