// Writes the analytics row of closed cases (case_metrics): the outcome's figures, time in each
// step and the policy-adherence verdict under the case's own policy version. Safe to run any
// number of times (an upsert), from the close of a case, the metrics job, a read, or a backfill.
import {
  findAnyClosedCasesWithoutMetrics,
  findClosedCasesWithoutMetrics,
  loadMetricsSources,
  markLostSaves,
  readWatermark,
  refreshDailyRollup,
  upsertCaseMetrics,
  writeWatermark,
} from "../db/repositories/case-metrics.repository.ts";
import { type CaseMetrics, computeCaseMetrics } from "../domain/case-metrics.ts";
import type { PolicyDefinition } from "../domain/policy-definition.ts";
import { getPolicy } from "./case-facts.ts";
import type { Db } from "./context.ts";

/** Computes and stores the metrics of these cases (those that are closed); returns how many. */
export async function recordCaseMetrics(
  db: Db,
  caseIds: string[],
  options: { onError?: (caseId: string, error: unknown) => void } = {},
): Promise<number> {
  const sources = await loadMetricsSources(db, caseIds);
  const policies = new Map<number, PolicyDefinition>();
  const rows: CaseMetrics[] = [];
  for (const source of sources) {
    const version = source.case.policyVersion;
    if (!policies.has(version)) policies.set(version, (await getPolicy(db, version)).definition);
    const accepted = [...source.events].reverse().find((e) => e.type === "offer_accepted");
    const effect = accepted?.effect as
      | { monthlyValueBeforeMinor: number; monthlyValueAfterMinor: number | null }
      | null
      | undefined;
    try {
      rows.push(
        computeCaseMetrics(source.case, source.events, policies.get(version)!, {
          planCode: source.planCode,
          planCodeBeforeOffer: accepted?.planCodeBefore ?? null,
          segment: source.segment,
          monthlyValueMinor: source.monthlyValueMinor,
          currency: source.currency,
          offerEffect: effect ?? null,
          subscriptionEndedAt: source.subscriptionEndedAt?.toISOString() ?? null,
          nextCaseOpenedAt: source.nextCaseOpenedAt?.toISOString() ?? null,
        }),
      );
    } catch (error) {
      // One malformed case document must not stop every other case from being counted.
      options.onError?.(source.case.id, error);
    }
  }
  await upsertCaseMetrics(db, rows);
  return rows.length;
}

/**
 * Catches up with cases closed recently that have no metrics row yet, then marks the saves lost
 * by what happened since the last round (new cases, subscriptions ended). The metrics job calls
 * it every round; analytics reads call it once with a small batch. Returns the rows written.
 */
export async function catchUpCaseMetrics(
  db: Db,
  now: Date,
  batchSize = 500,
  options: { lostSavesEveryMs?: number } = {},
): Promise<number> {
  const ids = await findClosedCasesWithoutMetrics(db, batchSize);
  const written = ids.length === 0 ? 0 : await recordCaseMetrics(db, ids);
  const last = await readWatermark(db, LOST_SAVES);
  // The scan for lost saves reads an hour of changes: a report does not pay for it when the job
  // (or another report) did it a moment ago.
  const fresh = last !== null && now.getTime() - last.getTime() < (options.lostSavesEveryMs ?? 0);
  if (!fresh) {
    // An hour of overlap covers transactions that committed late and clocks a little apart.
    const since = last
      ? new Date(Math.min(last.getTime(), now.getTime()) - 3_600_000)
      : new Date(0);
    await markLostSaves(db, since);
    await writeWatermark(db, LOST_SAVES, now);
  }
  // The days whose rows changed are rebuilt in the daily rollup the reports read.
  await refreshDailyRollup(db);
  return written;
}

const LOST_SAVES = "lost_saves";

/** Every closed case without a row, whenever it closed: after an import or a bulk seed. */
export async function backfillCaseMetrics(
  db: Db,
  options: { batchSize?: number; onProgress?: (done: number) => void } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  let done = 0;
  let afterId: string | null = null;
  for (;;) {
    const ids = await findAnyClosedCasesWithoutMetrics(db, afterId, batchSize);
    if (ids.length === 0) return done;
    done += await recordCaseMetrics(db, ids);
    afterId = ids[ids.length - 1]!;
    options.onProgress?.(done);
  }
}
