import { isForeignKeyViolation, isUniqueViolation } from "../db/db-errors.ts";
import { findOpenCaseForSubscription } from "../db/repositories/cases.repository.ts";
import { findPlanById } from "../db/repositories/plans.repository.ts";
import {
  findSubscriptionById,
  insertSubscriptions,
  updateSubscription,
} from "../db/repositories/subscriptions.repository.ts";
import type { Subscription } from "../domain/customer.ts";
import { AppError, notFound, validationError } from "../domain/errors.ts";
import type { Db } from "./context.ts";
import {
  fieldProblems,
  type SubscriptionCreateInput,
  type SubscriptionUpdateInput,
  subscriptionCreateInput,
} from "./inputs.ts";

function translate(error: unknown): unknown {
  if (isForeignKeyViolation(error)) {
    const field = error.constraint?.includes("plan") ? "planId" : "accountId";
    return validationError([
      { field, message: `is not an existing ${field === "planId" ? "plan" : "account"}` },
    ]);
  }
  if (isUniqueViolation(error)) {
    return new AppError(
      "ALREADY_EXISTS",
      "A subscription with this external reference already exists.",
      {
        fields: [{ field: "externalRef", message: "is already used by another subscription" }],
      },
    );
  }
  return error;
}

async function checkPlanCurrency(db: Db, planId: string, currency: string) {
  const plan = await findPlanById(db, planId);
  if (!plan) throw validationError([{ field: "planId", message: "is not an existing plan" }]);
  if (plan.currency !== currency) {
    throw validationError([
      { field: "currency", message: `must be the plan's currency, ${plan.currency}` },
    ]);
  }
}

export async function createSubscription(
  db: Db,
  input: SubscriptionCreateInput,
): Promise<Subscription> {
  await checkPlanCurrency(db, input.planId, input.currency);
  try {
    const [subscription] = await insertSubscriptions(db, [input]);
    return subscription!;
  } catch (error) {
    throw translate(error);
  }
}

export async function changeSubscription(
  db: Db,
  id: string,
  input: SubscriptionUpdateInput,
): Promise<Subscription> {
  const { expectedVersion, ...changes } = input;
  return db.transaction().execute(async (trx) => {
    // Locked, so a change from the billing ledger or another PATCH waits rather than being
    // overwritten by, or refusing, this one.
    await trx.selectFrom("subscriptions").select("id").where("id", "=", id).forUpdate().execute();
    const current = await findSubscriptionById(trx, id);
    if (!current) throw notFound("Subscription", id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw subscriptionChanged(current.version);
    }
    const merged = subscriptionCreateInput.safeParse({ ...current, ...changes });
    if (!merged.success) throw validationError(fieldProblems(merged.error));
    await refuseCancellingAroundThePolicy(trx, current, changes);
    await checkPlanCurrency(trx, merged.data.planId, merged.data.currency);
    try {
      return (await updateSubscription(trx, id, changes))!;
    } catch (error) {
      throw translate(error);
    }
  });
}

function subscriptionChanged(currentVersion: number): AppError {
  return new AppError(
    "CONFLICT",
    `The subscription changed since you read it (it is at version ${currentVersion} now): reload it and make your change again.`,
    { code: "SUBSCRIPTION_CHANGED", details: { currentVersion } },
  );
}

/**
 * The billing system may report a subscription it ended (a failed payment, say), but a
 * customer's cancellation goes through a case: a direct change cannot schedule one or move its
 * date, cannot undo one (reactivation does, on the case), nor end a subscription whose
 * cancellation case is open and not yet processed.
 */
async function refuseCancellingAroundThePolicy(
  db: Db,
  current: Subscription,
  input: SubscriptionUpdateInput,
): Promise<void> {
  const status = input.status !== current.status ? input.status : undefined;
  const cancelAtMoved =
    input.cancelAt !== undefined &&
    (input.cancelAt?.getTime() ?? null) !== (current.cancelAt?.getTime() ?? null);
  const reopening = status === "active" || status === "paused";
  if (current.status === "cancelled" && reopening && (await endedByCase(db, current.id))) {
    throw new AppError(
      "CONFLICT",
      "A cancellation case ended this subscription: it stays ended, and a returning customer takes a new subscription.",
      { code: "CANCELLED_BY_CASE" },
    );
  }
  if (current.status === "cancellation_scheduled" && reopening) {
    throw new AppError(
      "CONFLICT",
      `Undo a scheduled cancellation with POST /api/subscriptions/${current.id}/reactivate: the case records it and the customer is told.`,
      { code: "USE_REACTIVATION" },
    );
  }
  if (
    status === "cancellation_scheduled" ||
    (cancelAtMoved && (status ?? current.status) === "cancellation_scheduled")
  ) {
    throw new AppError(
      "CONFLICT",
      "A cancellation is scheduled only by processing a cancellation case: open a case for this subscription.",
      { code: "CANCELLATION_THROUGH_CASE" },
    );
  }
  if (status !== "cancelled") return;
  const open = await findOpenCaseForSubscription(db, current.id);
  // Once the case has processed the cancellation, billing ending the subscription at the end of
  // the term is the cancellation taking effect (the case waits for confirmation and feedback).
  if (open && !open.processing) {
    throw new AppError(
      "CONFLICT",
      `Case ${open.reference} is open for this subscription: finish the cancellation there (or withdraw it) instead of changing the subscription directly.`,
      { code: "CASE_OPEN" },
    );
  }
}

/** Whether the subscription's latest billing effect is a case's cancellation. */
async function endedByCase(db: Db, subscriptionId: string): Promise<boolean> {
  const latest = await db
    .selectFrom("subscription_effects")
    .select(["kind", "case_id"])
    .where("subscription_id", "=", subscriptionId)
    .orderBy("applied_at", "desc")
    .executeTakeFirst();
  return !!latest?.case_id && latest.kind.startsWith("cancel_");
}

export async function getSubscription(db: Db, id: string): Promise<Subscription> {
  const subscription = await findSubscriptionById(db, id);
  if (!subscription) throw notFound("Subscription", id);
  return subscription;
}
