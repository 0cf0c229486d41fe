// Analytics use cases: each report for one period, with labels for people and empty buckets
// filled, so charts and CSV exports show every week or month. The figures are aggregated by the
// database (analytics.repository.ts) over the per-case rollup that record-case-metrics.ts keeps.

import { sql } from "kysely";
import {
  type AnalyticsCaseFilter,
  adherenceByAm,
  adherenceMisses,
  type Bucket,
  feedbackSummary,
  formsByBucket,
  listAnalyticsCases,
  openEscalations,
  outcomesByBucket,
  type Period,
  planNames,
  reasonsByBucket,
  requestsByBucket,
  type SaveRateDimension,
  type SaveRule,
  saveRatesBy,
  slaByCsm,
  staffNames,
  stepTimes,
} from "../db/repositories/analytics.repository.ts";
import type { PageRequest } from "../db/repositories/pagination.ts";
import { listPolicyLabels } from "../db/repositories/policy-versions.repository.ts";
import { AppError } from "../domain/errors.ts";
import { findStep } from "../domain/policy-definition.ts";
import { getCurrentPolicy } from "./case-facts.ts";
import type { AppContext, Db } from "./context.ts";
import { catchUpCaseMetrics } from "./record-case-metrics.ts";
import { getSettings } from "./settings.ts";

export interface PeriodInput {
  from?: Date | undefined;
  to?: Date | undefined;
  bucket?: Bucket | undefined;
}

export interface ResolvedPeriod extends Period {
  buckets: string[];
}

const DAY_MS = 86_400_000;

function startOfBucket(at: Date, bucket: Bucket): Date {
  if (bucket === "month") return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

function nextBucket(at: Date, bucket: Bucket): Date {
  return bucket === "month"
    ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1))
    : new Date(at.getTime() + 7 * DAY_MS);
}

function invalid(field: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `${field}: ${message}`, {
    fields: [{ field, message }],
  });
}

/**
 * The period a report covers: `from` (inclusive) to `to` (exclusive). Without them, the last 12
 * months (or 12 weeks), the current one included, on whole buckets (UTC).
 */
export function resolvePeriod(input: PeriodInput, now: Date): ResolvedPeriod {
  const bucket = input.bucket ?? "month";
  // By default the current week or month is included whole.
  let to = input.to ?? nextBucket(startOfBucket(now, bucket), bucket);
  let from = input.from;
  if (!from) {
    from = startOfBucket(new Date(to.getTime() - 1), bucket);
    for (let i = 0; i < 11; i++) from = startOfBucket(new Date(from.getTime() - DAY_MS), bucket);
  }
  // The reports count whole UTC days: `from`'s day, up to the end of the day `to` falls in.
  from = new Date(Math.floor(from.getTime() / DAY_MS) * DAY_MS);
  to = new Date(Math.ceil(to.getTime() / DAY_MS) * DAY_MS);
  if (from.getTime() >= to.getTime()) throw invalid("from", "must be before to");
  if (to.getTime() - from.getTime() > (bucket === "week" ? 3 * 366 : 10 * 366) * DAY_MS) {
    throw invalid(
      "from",
      bucket === "week" ? "a weekly report covers at most 3 years" : "covers at most 10 years",
    );
  }
  const buckets: string[] = [];
  for (let b = startOfBucket(from, bucket); b.getTime() < to.getTime(); b = nextBucket(b, bucket))
    buckets.push(b.toISOString().slice(0, 10));
  return { from, to, bucket, buckets };
}

/**
 * Runs a report: first the on-read fallback (sums up the few cases closed since the metrics job
 * last ran, and looks for lost saves if nobody did in the last minute), then the queries in one read transaction with JIT off (compiling the aggregates cost
 * more than running them in our measurements) and room to hash the groups in memory.
 */
async function report<T>(ctx: AppContext, run: (db: Db, rule: SaveRule) => Promise<T>): Promise<T> {
  // Lost saves are looked for at most once a minute here (the metrics job does it every 30 s).
  await catchUpCaseMetrics(ctx.db, ctx.now(), 200, { lostSavesEveryMs: 60_000 });
  const settings = await getSettings(ctx.db);
  const rule = { validationDays: settings.saveValidationDays, now: ctx.now() };
  return ctx.db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    await sql`set local work_mem = '64MB'`.execute(trx);
    return run(trx, rule);
  });
}

const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;

export async function getOverview(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db, rule) => {
    const [outcomes, requests] = await Promise.all([
      outcomesByBucket(db, period, rule),
      requestsByBucket(db, period),
    ]);
    const series = period.buckets.map((bucket) => {
      const rows = outcomes.filter((r) => r.bucket === bucket);
      const sum = (key: keyof (typeof outcomes)[number]) =>
        rows.reduce((total, r) => total + (r[key] as number), 0);
      const retained = sum("retained");
      const cancelled = sum("cancelled");
      return {
        bucket,
        requests: requests.find((r) => r.bucket === bucket)?.requests ?? 0,
        closed: sum("closed"),
        retained,
        cancelled,
        withdrawn: sum("withdrawn"),
        unverified: sum("unverified"),
        reactivated: sum("reactivated"),
        validated: sum("validated"),
        pending: sum("pending"),
        lost: sum("lost"),
        saveRate: rate(retained, retained + cancelled),
        validatedSaveRate: rate(sum("validated"), retained + cancelled),
      };
    });
    const value = outcomes.map((r) => ({
      bucket: r.bucket,
      currency: r.currency,
      keptMinor: r.valueKeptMinor,
      validatedKeptMinor: r.valueValidatedMinor,
      lostMinor: r.valueLostMinor,
    }));
    const total = (key: Exclude<keyof (typeof series)[number], "bucket">) =>
      series.reduce((t, s) => t + (s[key] ?? 0), 0);
    const currencies = [...new Set(value.map((v) => v.currency))];
    return {
      period: presentPeriod(period),
      saveValidationDays: rule.validationDays,
      totals: {
        requests: total("requests"),
        closed: total("closed"),
        retained: total("retained"),
        cancelled: total("cancelled"),
        withdrawn: total("withdrawn"),
        unverified: total("unverified"),
        reactivated: total("reactivated"),
        validated: total("validated"),
        pending: total("pending"),
        lost: total("lost"),
        saveRate: rate(total("retained"), total("retained") + total("cancelled")),
        validatedSaveRate: rate(total("validated"), total("retained") + total("cancelled")),
        value: currencies.map((currency) => {
          const rows = value.filter((v) => v.currency === currency);
          return {
            currency,
            keptMinor: rows.reduce((t, r) => t + r.keptMinor, 0),
            validatedKeptMinor: rows.reduce((t, r) => t + r.validatedKeptMinor, 0),
            lostMinor: rows.reduce((t, r) => t + r.lostMinor, 0),
          };
        }),
      },
      series,
      value,
    };
  });
}

function presentPeriod(period: ResolvedPeriod) {
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    bucket: period.bucket,
    buckets: period.buckets,
  };
}

export async function getSaveRates(
  ctx: AppContext,
  dimension: SaveRateDimension,
  period: ResolvedPeriod,
) {
  return report(ctx, async (db, rule) => {
    const rows = await saveRatesBy(db, dimension, period, rule);
    const labels = await listPolicyLabels(db);
    const staff =
      dimension === "am" || dimension === "csm"
        ? await staffNames(
            db,
            rows.flatMap((r) => (r.key ? [r.key] : [])),
          )
        : new Map<string, string>();
    const plans = dimension === "plan" ? await planNames(db) : new Map<string, string>();
    const label = (key: string | null): string => {
      if (key === null) return dimension === "am" || dimension === "csm" ? "Unassigned" : "Unknown";
      if (dimension === "reason") return labels.reasons.get(key) ?? key;
      if (dimension === "offer") return labels.offers.get(key) ?? key;
      if (dimension === "plan") return plans.get(key) ?? key;
      if (dimension === "am" || dimension === "csm") return staff.get(key) ?? key;
      return key;
    };
    return {
      period: presentPeriod(period),
      dimension,
      saveValidationDays: rule.validationDays,
      rows: rows.map((r) => ({
        ...r,
        label: label(r.key),
        saveRate: rate(r.retained, r.decided),
        validatedSaveRate: rate(r.validated, r.decided),
      })),
    };
  });
}

export async function getReasons(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db) => {
    const rows = await reasonsByBucket(db, period);
    const labels = await listPolicyLabels(db);
    const codes = [...new Set(rows.map((r) => r.reasonCode ?? "unknown"))];
    const reasons = codes.map((code) => ({
      code,
      label: labels.reasons.get(code) ?? (code === "unknown" ? "Not recorded" : code),
      cases: rows
        .filter((r) => (r.reasonCode ?? "unknown") === code)
        .reduce((t, r) => t + r.cases, 0),
    }));
    reasons.sort((a, b) => b.cases - a.cases || a.code.localeCompare(b.code));
    return {
      period: presentPeriod(period),
      reasons,
      rows: period.buckets.flatMap((bucket) =>
        reasons.map((reason) => {
          const row = rows.find(
            (r) => r.bucket === bucket && (r.reasonCode ?? "unknown") === reason.code,
          );
          return {
            bucket,
            reasonCode: reason.code,
            label: reason.label,
            cases: row?.cases ?? 0,
            cancelled: row?.cancelled ?? 0,
          };
        }),
      ),
    };
  });
}

export async function getStepTimes(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db) => {
    const rows = await stepTimes(db, period);
    const policy = (await getCurrentPolicy(db)).definition;
    return {
      period: presentPeriod(period),
      rows: rows.map((r, index) => ({
        number: index + 1,
        ...r,
        title: findStep(policy, r.step)?.title ?? r.step,
      })),
    };
  });
}

export async function getSla(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db, rule) => {
    const [rows, open] = await Promise.all([slaByCsm(db, period), openEscalations(db, rule.now)]);
    const names = await staffNames(
      db,
      rows.flatMap((r) => (r.csmId ? [r.csmId] : [])),
    );
    const sum = (key: "escalated" | "met" | "late" | "neverEngaged") =>
      rows.reduce((t, r) => t + r[key], 0);
    return {
      period: presentPeriod(period),
      totals: {
        escalated: sum("escalated"),
        met: sum("met"),
        late: sum("late"),
        neverEngaged: sum("neverEngaged"),
        compliance: rate(sum("met"), sum("escalated")),
        openEscalations: open.open,
        openBreached: open.breached,
      },
      rows: rows.map((r) => ({
        ...r,
        csmName: r.csmId ? (names.get(r.csmId) ?? r.csmId) : "Unassigned",
        compliance: rate(r.met, r.escalated),
      })),
    };
  });
}

export async function getForms(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db) => {
    const rows = await formsByBucket(db, period);
    const series = period.buckets.map((bucket) => {
      const row = rows.find((r) => r.bucket === bucket);
      const sent = row?.sent ?? 0;
      const submitted = row?.submitted ?? 0;
      return { bucket, sent, submitted, completionRate: rate(submitted, sent) };
    });
    const sent = series.reduce((t, s) => t + s.sent, 0);
    const submitted = series.reduce((t, s) => t + s.submitted, 0);
    return {
      period: presentPeriod(period),
      totals: { sent, submitted, completionRate: rate(submitted, sent) },
      series,
    };
  });
}

export async function getFeedback(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db) => {
    const summary = await feedbackSummary(db, period);
    const labels = await listPolicyLabels(db);
    const responses = summary.ratings.reduce((t, r) => t + r.responses, 0);
    const weighted = summary.ratings.reduce((t, r) => t + r.rating * r.responses, 0);
    return {
      period: presentPeriod(period),
      totals: {
        responses,
        averageRating: responses > 0 ? Math.round((weighted / responses) * 100) / 100 : null,
      },
      ratings: [1, 2, 3, 4, 5].map((rating) => ({
        rating,
        responses: summary.ratings.find((r) => r.rating === rating)?.responses ?? 0,
      })),
      reasons: summary.reasons.map((r) => ({
        ...r,
        label: labels.reasons.get(r.reasonCode) ?? r.reasonCode,
      })),
    };
  });
}

export async function getAdherence(ctx: AppContext, period: ResolvedPeriod) {
  return report(ctx, async (db) => {
    const [byAm, misses] = await Promise.all([
      adherenceByAm(db, period),
      adherenceMisses(db, period),
    ]);
    const names = await staffNames(
      db,
      byAm.flatMap((r) => (r.amId ? [r.amId] : [])),
    );
    const policy = (await getCurrentPolicy(db)).definition;
    const closed = byAm.reduce((t, r) => t + r.closed, 0);
    const adherent = byAm.reduce((t, r) => t + r.adherent, 0);
    return {
      period: presentPeriod(period),
      totals: {
        closed,
        adherent,
        notAdherent: closed - adherent,
        adherenceRate: rate(adherent, closed),
      },
      byAm: byAm.map((r) => ({
        ...r,
        amName: r.amId ? (names.get(r.amId) ?? r.amId) : "Unassigned",
        notAdherent: r.closed - r.adherent,
        adherenceRate: rate(r.adherent, r.closed),
      })),
      misses: misses.map((m) => ({
        ...m,
        stepTitle: findStep(policy, m.step as never)?.title ?? m.step,
      })),
    };
  });
}

export async function listCasesBehind(
  ctx: AppContext,
  period: ResolvedPeriod,
  filter: AnalyticsCaseFilter,
  page: PageRequest,
) {
  return report(ctx, async (db, rule) => {
    return listAnalyticsCases(db, period, rule, filter, page);
  });
}
