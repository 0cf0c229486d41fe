// Analytics for staff: volumes, save rates, value kept and lost, reasons, time in each step, CSM
// SLA compliance, form completion, feedback, policy adherence, and the cases behind each figure.
// Every report takes a period (from, to, week|month buckets; the last 12 months by default) and
// answers JSON, or its table as CSV with `format=csv`.
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  getAdherence,
  getFeedback,
  getForms,
  getOverview,
  getReasons,
  getSaveRates,
  getSla,
  getStepTimes,
  listCasesBehind,
  resolvePeriod,
} from "../../../app/analytics.ts";
import type { AppContext } from "../../../app/context.ts";
import { instant } from "../../../app/inputs.ts";
import { SAVE_RATE_DIMENSIONS } from "../../../db/repositories/analytics.repository.ts";
import { CASE_OUTCOMES, REQUEST_CHANNELS } from "../../../domain/case.ts";
import { SAVE_STATUSES } from "../../../domain/case-metrics.ts";
import { STEP_KEYS } from "../../../domain/policy-definition.ts";
import { STAFF } from "../../plugins/auth.ts";
import { booleanQuery, errorResponses, iso, pageQuery } from "../common.ts";
import { type CsvColumn, csvHeader, csvRows, toCsv } from "./csv.ts";

const TAGS = ["analytics"];
const access = { roles: STAFF };

const periodQuery = {
  from: instant
    .optional()
    .describe("start of the period, inclusive (default: 12 buckets before `to`)"),
  to: instant.optional().describe("end of the period, exclusive (default: now)"),
  bucket: z.enum(["week", "month"]).default("month").describe("size of each bucket"),
  format: z.enum(["json", "csv"]).default("json").describe("csv answers the report's table"),
};

const periodJson = z.object({
  from: z.string(),
  to: z.string(),
  bucket: z.enum(["week", "month"]),
  buckets: z.array(z.string()).describe("start date (UTC) of each week or month"),
});

const rate = z
  .number()
  .nullable()
  .describe("a share from 0 to 1; null when there is nothing to divide by");

type Cell = string | number | boolean | null | undefined;

/** A reply that downloads as canceldesk-<name>.csv. */
function csvAttachment(reply: FastifyReply, name: string): FastifyReply {
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="canceldesk-${name}.csv"`);
}

function columnsOf<Row>(columns: [header: string, value: (row: Row) => Cell][]): CsvColumn<Row>[] {
  return columns.map(([header, value]) => ({ header, value }));
}

function sendCsv<Row>(
  reply: FastifyReply,
  name: string,
  columns: NoInfer<[header: string, value: (row: Row) => Cell][]>,
  rows: readonly Row[],
) {
  return csvAttachment(reply, name)
    .serializer((payload: unknown) => payload as string)
    .send(toCsv(columnsOf(columns), rows));
}

type CaseBehind = Omit<
  Awaited<ReturnType<typeof listCasesBehind>>["items"][number],
  "openedAt" | "closedAt"
> & { openedAt: string; closedAt: string };

/** The drill-down's CSV columns. */
const CASE_CSV_COLUMNS: CsvColumn<CaseBehind>[] = columnsOf<CaseBehind>([
  ["reference", (r) => r.reference],
  ["account", (r) => r.accountName],
  ["outcome", (r) => r.outcome],
  ["save_status", (r) => r.saveStatus],
  ["channel", (r) => r.channel],
  ["am", (r) => r.amName],
  ["csm", (r) => r.csmName],
  ["reason", (r) => r.reasonCode],
  ["saved_offer", (r) => r.savedOfferCode],
  ["plan", (r) => r.planCode],
  ["segment", (r) => r.segment],
  ["currency", (r) => r.currency],
  ["monthly_value_minor", (r) => r.monthlyValueMinor],
  ["opened_at", (r) => r.openedAt],
  ["closed_at", (r) => r.closedAt],
  ["sla_met", (r) => r.slaMet],
  ["adherent", (r) => r.adherent],
  ["missed", (r) => r.misses.map((m) => `${m.step}: ${m.rule}`).join("; ")],
]);

/** `csvPageSize`: cases read per page while a drill-down streams as CSV. */
export function analyticsRoutes(ctx: AppContext, csvPageSize = 2_000) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    const seriesRow = z.object({
      bucket: z.string(),
      requests: z.number().describe("cases opened in the bucket"),
      closed: z.number(),
      retained: z.number().describe("cases closed as retained (saves, validated or not)"),
      cancelled: z
        .number()
        .describe("cases closed as cancelled, less those reactivated before they took effect"),
      withdrawn: z.number(),
      unverified: z.number(),
      reactivated: z
        .number()
        .describe("cancellations at the end of the term reactivated before they took effect"),
      validated: z.number().describe("saves still subscribed after the validation window"),
      pending: z.number().describe("saves whose validation window is still running"),
      lost: z.number().describe("saves lost inside the window (cancelled, or a new case)"),
      saveRate: rate,
      validatedSaveRate: rate,
    });
    const valueRow = z.object({
      bucket: z.string(),
      currency: z.string(),
      keptMinor: z.number(),
      validatedKeptMinor: z.number(),
      lostMinor: z.number(),
    });
    app.get("/api/analytics/overview", {
      config: { access },
      schema: {
        tags: TAGS,
        summary:
          "Requests, saves (validated, pending, lost) and cancellations per bucket; save rate; monthly value kept and lost",
        querystring: z.object({
          ...periodQuery,
          table: z.enum(["series", "value"]).default("series"),
        }),
        response: {
          200: z.object({
            period: periodJson,
            saveValidationDays: z.number(),
            totals: seriesRow.omit({ bucket: true }).extend({
              value: z.array(valueRow.omit({ bucket: true })),
            }),
            series: z.array(seriesRow),
            value: z.array(valueRow),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, table, ...input } = request.query;
        const report = await getOverview(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        if (table === "value") {
          return sendCsv(
            reply,
            "value",
            [
              ["bucket", (r) => r.bucket],
              ["currency", (r) => r.currency],
              ["value_kept_minor", (r) => r.keptMinor],
              ["value_kept_validated_minor", (r) => r.validatedKeptMinor],
              ["value_lost_minor", (r) => r.lostMinor],
            ],
            report.value,
          );
        }
        return sendCsv(
          reply,
          "overview",
          [
            ["bucket", (r) => r.bucket],
            ["requests", (r) => r.requests],
            ["closed", (r) => r.closed],
            ["retained", (r) => r.retained],
            ["saves_validated", (r) => r.validated],
            ["saves_pending", (r) => r.pending],
            ["saves_lost", (r) => r.lost],
            ["cancelled", (r) => r.cancelled],
            ["withdrawn", (r) => r.withdrawn],
            ["unverified", (r) => r.unverified],
            ["reactivated", (r) => r.reactivated],
            ["save_rate", (r) => r.saveRate],
            ["validated_save_rate", (r) => r.validatedSaveRate],
          ],
          report.series,
        );
      },
    });

    app.get("/api/analytics/save-rates", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Save rate by offer, reason, plan, segment, channel, AM or CSM",
        querystring: z.object({
          ...periodQuery,
          dimension: z.enum(SAVE_RATE_DIMENSIONS).default("reason"),
        }),
        response: {
          200: z.object({
            period: periodJson,
            dimension: z.enum(SAVE_RATE_DIMENSIONS),
            saveValidationDays: z.number(),
            rows: z.array(
              z.object({
                key: z
                  .string()
                  .nullable()
                  .describe("offer, reason or plan code, segment, channel, or user id"),
                label: z.string(),
                decided: z
                  .number()
                  .describe("retained + cancelled (offers: cases it was presented to)"),
                retained: z.number(),
                cancelled: z.number(),
                validated: z.number(),
                pending: z.number(),
                lost: z.number(),
                value: z
                  .array(
                    z.object({
                      currency: z.string(),
                      keptMinor: z.number(),
                      lostMinor: z.number(),
                    }),
                  )
                  .describe(
                    "monthly value kept by the saves and lost to the cancellations, one entry per currency (never added across currencies)",
                  ),
                saveRate: rate,
                validatedSaveRate: rate,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, dimension, ...input } = request.query;
        const report = await getSaveRates(ctx, dimension, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        return sendCsv(
          reply,
          `save-rates-by-${dimension}`,
          [
            [dimension, (r) => r.key],
            ["label", (r) => r.label],
            ["decided", (r) => r.decided],
            ["retained", (r) => r.retained],
            ["saves_validated", (r) => r.validated],
            ["saves_pending", (r) => r.pending],
            ["saves_lost", (r) => r.lost],
            ["cancelled", (r) => r.cancelled],
            ["save_rate", (r) => r.saveRate],
            ["validated_save_rate", (r) => r.validatedSaveRate],
            // Value in one pair of columns per currency, so no column adds two currencies.
            ...[...new Set(report.rows.flatMap((r) => r.value.map((v) => v.currency)))]
              .sort()
              .flatMap((currency): [string, (r: (typeof report.rows)[number]) => Cell][] => {
                const of = (r: (typeof report.rows)[number]) =>
                  r.value.find((v) => v.currency === currency);
                return [
                  [`value_kept_minor_${currency}`, (r) => of(r)?.keptMinor ?? 0],
                  [`value_lost_minor_${currency}`, (r) => of(r)?.lostMinor ?? 0],
                ];
              }),
          ],
          report.rows,
        );
      },
    });

    app.get("/api/analytics/reasons", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Cancellation reasons over time (retained and cancelled cases)",
        querystring: z.object(periodQuery),
        response: {
          200: z.object({
            period: periodJson,
            reasons: z.array(z.object({ code: z.string(), label: z.string(), cases: z.number() })),
            rows: z.array(
              z.object({
                bucket: z.string(),
                reasonCode: z.string(),
                label: z.string(),
                cases: z.number(),
                cancelled: z.number(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, ...input } = request.query;
        const report = await getReasons(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        return sendCsv(
          reply,
          "reasons",
          [
            ["bucket", (r) => r.bucket],
            ["reason", (r) => r.reasonCode],
            ["label", (r) => r.label],
            ["cases", (r) => r.cases],
            ["cancelled", (r) => r.cancelled],
          ],
          report.rows,
        );
      },
    });

    app.get("/api/analytics/step-times", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Time spent in each policy step: median and 90th percentile, in seconds",
        querystring: z.object(periodQuery),
        response: {
          200: z.object({
            period: periodJson,
            rows: z.array(
              z.object({
                number: z.number(),
                step: z.enum(STEP_KEYS),
                title: z.string(),
                cases: z.number(),
                medianSeconds: z.number().nullable(),
                p90Seconds: z.number().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, ...input } = request.query;
        const report = await getStepTimes(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        return sendCsv(
          reply,
          "step-times",
          [
            ["step", (r) => r.number],
            ["key", (r) => r.step],
            ["title", (r) => r.title],
            ["cases", (r) => r.cases],
            ["median_seconds", (r) => r.medianSeconds],
            ["p90_seconds", (r) => r.p90Seconds],
          ],
          report.rows,
        );
      },
    });

    app.get("/api/analytics/sla", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "CSM engagement SLA compliance of escalated cases, per CSM",
        querystring: z.object(periodQuery),
        response: {
          200: z.object({
            period: periodJson,
            totals: z.object({
              escalated: z.number(),
              met: z.number(),
              late: z.number(),
              neverEngaged: z.number(),
              compliance: rate,
              openEscalations: z.number().describe("escalated cases waiting for their CSM now"),
              openBreached: z.number().describe("of those, past their SLA due time"),
            }),
            rows: z.array(
              z.object({
                csmId: z.string().nullable(),
                csmName: z.string(),
                escalated: z.number(),
                met: z.number(),
                late: z.number(),
                neverEngaged: z.number(),
                compliance: rate,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, ...input } = request.query;
        const report = await getSla(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        return sendCsv(
          reply,
          "sla",
          [
            ["csm_id", (r) => r.csmId],
            ["csm", (r) => r.csmName],
            ["escalated", (r) => r.escalated],
            ["met", (r) => r.met],
            ["late", (r) => r.late],
            ["never_engaged", (r) => r.neverEngaged],
            ["compliance", (r) => r.compliance],
          ],
          report.rows,
        );
      },
    });

    app.get("/api/analytics/forms", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Cancellation Request Form completion: sent and submitted per bucket",
        querystring: z.object(periodQuery),
        response: {
          200: z.object({
            period: periodJson,
            totals: z.object({ sent: z.number(), submitted: z.number(), completionRate: rate }),
            series: z.array(
              z.object({
                bucket: z.string(),
                sent: z.number(),
                submitted: z.number(),
                completionRate: rate,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, ...input } = request.query;
        const report = await getForms(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        return sendCsv(
          reply,
          "forms",
          [
            ["bucket", (r) => r.bucket],
            ["sent", (r) => r.sent],
            ["submitted", (r) => r.submitted],
            ["completion_rate", (r) => r.completionRate],
          ],
          report.series,
        );
      },
    });

    app.get("/api/analytics/feedback", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "Feedback ratings (1-5) and what led customers to their decision",
        querystring: z.object({
          ...periodQuery,
          table: z.enum(["ratings", "reasons"]).default("ratings"),
        }),
        response: {
          200: z.object({
            period: periodJson,
            totals: z.object({ responses: z.number(), averageRating: z.number().nullable() }),
            ratings: z.array(z.object({ rating: z.number(), responses: z.number() })),
            reasons: z.array(
              z.object({
                reasonCode: z.string(),
                label: z.string(),
                responses: z.number(),
                averageRating: z.number().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, table, ...input } = request.query;
        const report = await getFeedback(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        if (table === "reasons") {
          return sendCsv(
            reply,
            "feedback-reasons",
            [
              ["reason", (r) => r.reasonCode],
              ["label", (r) => r.label],
              ["responses", (r) => r.responses],
              ["average_rating", (r) => r.averageRating],
            ],
            report.reasons,
          );
        }
        return sendCsv(
          reply,
          "feedback-ratings",
          [
            ["rating", (r) => r.rating],
            ["responses", (r) => r.responses],
          ],
          report.ratings,
        );
      },
    });

    app.get("/api/analytics/adherence", {
      config: { access },
      schema: {
        tags: TAGS,
        summary:
          "Policy adherence of closed cases (every step, in order, on time, with evidence), by AM and by missed step",
        querystring: z.object({
          ...periodQuery,
          table: z.enum(["by_am", "misses"]).default("by_am"),
        }),
        response: {
          200: z.object({
            period: periodJson,
            totals: z.object({
              closed: z.number(),
              adherent: z.number(),
              notAdherent: z.number(),
              adherenceRate: rate,
            }),
            byAm: z.array(
              z.object({
                amId: z.string().nullable(),
                amName: z.string(),
                closed: z.number(),
                adherent: z.number(),
                notAdherent: z.number(),
                adherenceRate: rate,
              }),
            ),
            misses: z.array(
              z.object({
                step: z.string(),
                stepTitle: z.string(),
                rule: z.string(),
                cases: z.number(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, table, ...input } = request.query;
        const report = await getAdherence(ctx, resolvePeriod(input, ctx.now()));
        if (format === "json") return report;
        if (table === "misses") {
          return sendCsv(
            reply,
            "adherence-misses",
            [
              ["step", (r) => r.step],
              ["step_title", (r) => r.stepTitle],
              ["rule", (r) => r.rule],
              ["cases", (r) => r.cases],
            ],
            report.misses,
          );
        }
        return sendCsv(
          reply,
          "adherence-by-am",
          [
            ["am_id", (r) => r.amId],
            ["am", (r) => r.amName],
            ["closed", (r) => r.closed],
            ["adherent", (r) => r.adherent],
            ["not_adherent", (r) => r.notAdherent],
            ["adherence_rate", (r) => r.adherenceRate],
          ],
          report.byAm,
        );
      },
    });

    const caseRow = z.object({
      caseId: z.string(),
      reference: z.string(),
      accountName: z.string(),
      outcome: z.string(),
      channel: z.string(),
      amId: z.string().nullable(),
      amName: z.string().nullable(),
      csmId: z.string().nullable(),
      csmName: z.string().nullable(),
      reasonCode: z.string().nullable(),
      savedOfferCode: z.string().nullable(),
      planCode: z.string().nullable(),
      segment: z.string().nullable(),
      currency: z.string(),
      monthlyValueMinor: z.number(),
      openedAt: z.string(),
      closedAt: z.string(),
      saveStatus: z.enum(SAVE_STATUSES).nullable(),
      slaMet: z.boolean().nullable(),
      adherent: z.boolean(),
      misses: z.array(z.object({ step: z.string(), rule: z.string(), detail: z.string() })),
    });
    app.get("/api/analytics/cases", {
      config: { access },
      schema: {
        tags: TAGS,
        summary: "The closed cases behind a figure (drill-down), newest first",
        querystring: z.object({
          ...periodQuery,
          limit: pageQuery.limit.describe("1-200 (csv: up to 10,000 rows in one file)"),
          cursor: pageQuery.cursor,
          outcome: z
            .enum([...CASE_OUTCOMES, "reactivated"])
            .optional()
            .describe("`cancelled` leaves out those reactivated before they took effect"),
          channel: z.enum(REQUEST_CHANNELS).optional(),
          reasonCode: z.string().max(100).optional(),
          offerCode: z.string().max(100).optional().describe("the offer was presented"),
          savedOfferCode: z
            .string()
            .max(100)
            .optional()
            .describe("the offer retained the customer"),
          planCode: z.string().max(100).optional(),
          segment: z.enum(["smb", "mid_market", "enterprise"]).optional(),
          amId: z
            .union([z.uuid(), z.literal("none")])
            .optional()
            .describe("the AM's user id, or `none` for cases without one"),
          csmId: z
            .union([z.uuid(), z.literal("none")])
            .optional()
            .describe("the CSM's user id, or `none` for cases without one"),
          decided: booleanQuery
            .optional()
            .describe("true: retained or cancelled (a save rate's decided cases); false: neither"),
          formSent: booleanQuery.optional().describe("the Cancellation Request Form was sent"),
          adherent: booleanQuery.optional(),
          missedStep: z.enum(STEP_KEYS).optional(),
          missedRule: z
            .string()
            .max(100)
            .optional()
            .describe("a rule the case missed (with missedStep: missed at that step)"),
          saveStatus: z.enum(SAVE_STATUSES).optional(),
          escalated: booleanQuery.optional(),
          slaMet: booleanQuery.optional(),
          formSubmitted: booleanQuery.optional(),
          feedbackRating: z.coerce.number().int().min(1).max(5).optional(),
          feedbackReason: z.string().max(100).optional(),
        }),
        response: {
          200: z.object({ items: z.array(caseRow), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const { format, from, to, bucket, limit, cursor, amId, csmId, ...rest } = request.query;
        const person = (id: string | undefined) => (id === "none" ? null : id);
        const filter = { ...rest, amId: person(amId), csmId: person(csmId) };
        const period = resolvePeriod({ from, to, bucket }, ctx.now());
        const rowsOf = (page: Awaited<ReturnType<typeof listCasesBehind>>) =>
          page.items.map((r) => ({
            ...r,
            saveStatus: r.saveStatus as (typeof SAVE_STATUSES)[number] | null,
            openedAt: iso(r.openedAt)!,
            closedAt: iso(r.closedAt)!,
          }));
        if (format === "json") {
          const page = await listCasesBehind(ctx, period, filter, { limit, cursor });
          return { items: rowsOf(page), nextCursor: page.nextCursor };
        }
        // The CSV holds every case behind the figure (from `cursor` on), read a page at a time
        // and streamed, so a year of cases is neither cut short nor held in memory at once.

        const first = await listCasesBehind(ctx, period, filter, {
          limit: csvPageSize,
          cursor,
        });
        async function* csv() {
          yield csvHeader(CASE_CSV_COLUMNS);
          let page = first;
          for (;;) {
            yield csvRows(CASE_CSV_COLUMNS, rowsOf(page));
            if (!page.nextCursor) return;
            page = await listCasesBehind(ctx, period, filter, {
              limit: csvPageSize,
              cursor: page.nextCursor,
            });
          }
        }
        // A stream of text, not the JSON body the route's schema describes.
        return csvAttachment(reply, "cases").send(Readable.from(csv()) as never);
      },
    });
  };
}
