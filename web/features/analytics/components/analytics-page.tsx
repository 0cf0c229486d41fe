// Analytics: requests, saves and cancellations over time; save rate by offer, reason, plan,
// segment, channel, AM and CSM; value kept and lost; reasons; time in each step; CSM SLA; form
// completion; feedback; policy adherence. One period filter for every report; each figure opens
// the cases behind it; every table downloads as CSV; every chart has its table.
import "@mantine/charts/styles.css";
import { BarChart, LineChart } from "@mantine/charts";
import {
  Anchor,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { humanize } from "../../../lib/format.ts";
import {
  type AdherenceJson,
  type Bucket,
  type FeedbackJson,
  type FormsJson,
  type OverviewJson,
  type PeriodParams,
  type ReasonsJson,
  reportUrl,
  type SaveRateDimension,
  type SaveRatesJson,
  type SlaJson,
  type StepTimesJson,
  useReport,
} from "../api/analytics.ts";
import { casesHref, drillFilters } from "../api/drill-filters.ts";
import {
  ChartFigure,
  Drill,
  formatDuration,
  formatRate,
  labelledPeriods,
  MoneyList,
  money,
  periodLabel,
  ReportTable,
  Section,
  Stats,
} from "./report-parts.tsx";

const TABS = [
  { value: "overview", label: "Overview" },
  { value: "save-rates", label: "Save rates" },
  { value: "reasons", label: "Reasons" },
  { value: "steps", label: "Time and SLA" },
  { value: "forms-feedback", label: "Form and feedback" },
  { value: "adherence", label: "Policy adherence" },
] as const;

function Pending({ error }: { error: unknown }) {
  if (error) return <ErrorPanel error={error} />;
  // A span may carry a label only with a role: status also tells screen readers it is loading.
  return <Loader role="status" aria-label="Loading the report" />;
}

/** The `to` date shown is the last day included; the API's `to` is the day after (exclusive). */
function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const bucket = (params.get("bucket") === "week" ? "week" : "month") as Bucket;
  const from = params.get("from") ?? "";
  const toShown = params.get("to") ?? "";
  const tab = params.get("tab") ?? "overview";
  const period: PeriodParams = {
    bucket,
    from: from || undefined,
    to: toShown ? dayAfter(toShown) : undefined,
  };
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <Stack>
      <Title order={1}>Analytics</Title>
      <Group align="flex-end" wrap="wrap" role="search" aria-label="Period">
        <TextInput
          type="date"
          label="From"
          description="First day included"
          value={from}
          onChange={(e) => set("from", e.currentTarget.value)}
        />
        <TextInput
          type="date"
          label="To"
          description="Last day included"
          value={toShown}
          onChange={(e) => set("to", e.currentTarget.value)}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="bucket-label">
            Per
          </Text>
          <SegmentedControl
            aria-labelledby="bucket-label"
            value={bucket}
            onChange={(v) => set("bucket", v)}
            data={[
              { value: "week", label: "Week" },
              { value: "month", label: "Month" },
            ]}
          />
        </Stack>
        <Text size="sm" c="dimmed">
          {from || toShown ? "" : `Last 12 ${bucket === "week" ? "weeks" : "months"}`}
        </Text>
      </Group>
      <Tabs value={tab} onChange={(v) => set("tab", v ?? "overview")} keepMounted={false}>
        <Tabs.List aria-label="Reports">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <OverviewReport period={period} />
        </Tabs.Panel>
        <Tabs.Panel value="save-rates" pt="md">
          <SaveRatesReport period={period} />
        </Tabs.Panel>
        <Tabs.Panel value="reasons" pt="md">
          <ReasonsReport period={period} />
        </Tabs.Panel>
        <Tabs.Panel value="steps" pt="md">
          <Stack gap="xl">
            <StepTimesReport period={period} />
            <SlaReport period={period} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="forms-feedback" pt="md">
          <Stack gap="xl">
            <FormsReport period={period} />
            <FeedbackReport period={period} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="adherence" pt="md">
          <AdherenceReport period={period} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export function OverviewReport({ period }: { period: PeriodParams }) {
  const report = useReport<OverviewJson>("overview", period);
  if (!report.data) return <Pending error={report.error} />;
  const { totals, series, value, saveValidationDays } = report.data;
  const p = report.data.period;
  // Each currency is summed and drawn by itself: euros and dollars are never added together.
  const currencies = totals.value.map((v) => v.currency);
  return (
    <Stack gap="xl">
      <Section title="Requests, saves and cancellations">
        <Stats
          items={[
            { label: "Requests", value: totals.requests },
            { label: "Save rate", value: formatRate(totals.saveRate) },
            {
              label: `Save rate, validated (${saveValidationDays} days)`,
              // Until a save has been validated or lost, 0% would read as "every save was lost".
              value:
                totals.validated + totals.lost === 0 && totals.pending > 0
                  ? "Not yet known"
                  : formatRate(totals.validatedSaveRate),
              note:
                totals.pending > 0
                  ? `${totals.pending.toLocaleString()} ${totals.pending === 1 ? "save" : "saves"} still pending`
                  : undefined,
            },
            { label: "Cancellations", value: totals.cancelled },
          ]}
        />
        <Text size="sm" c="dimmed">
          A save counts once the customer is still subscribed {saveValidationDays} days after it:
          until then it is pending; a cancellation or a new request within those days makes it lost.
        </Text>
        <ChartFigure title="Saves and cancellations per period">
          <BarChart
            h={260}
            data={labelledPeriods(series, period.bucket)}
            dataKey="bucket"
            type="stacked"
            series={[
              { name: "validated", label: "Saved (validated)", color: "teal.6" },
              { name: "pending", label: "Saved (pending)", color: "teal.3" },
              { name: "lost", label: "Lost after save", color: "orange.6" },
              { name: "cancelled", label: "Cancelled", color: "red.6" },
            ]}
            withLegend
          />
        </ChartFigure>
        <ReportTable
          caption="Requests and outcomes per period"
          csvHref={reportUrl("overview", period, { format: "csv" })}
          rows={series}
          rowKey={(r) => r.bucket}
          columns={[
            { header: "Period", render: (r) => periodLabel(r.bucket, period.bucket) },
            { header: "Requests", render: (r) => r.requests, numeric: true },
            {
              header: "Saved (validated)",
              numeric: true,
              render: (r) => (
                <Drill
                  count={r.validated}
                  label="validated saves"
                  href={casesHref(p, drillFilters.saves("validated"), r.bucket)}
                />
              ),
            },
            {
              header: "Saved (pending)",
              numeric: true,
              render: (r) => (
                <Drill
                  count={r.pending}
                  label="saves pending validation"
                  href={casesHref(p, drillFilters.saves("pending"), r.bucket)}
                />
              ),
            },
            {
              header: "Lost after save",
              numeric: true,
              render: (r) => (
                <Drill
                  count={r.lost}
                  label="saves lost"
                  href={casesHref(p, drillFilters.saves("lost"), r.bucket)}
                />
              ),
            },
            {
              header: "Cancelled",
              numeric: true,
              render: (r) => (
                <Drill
                  count={r.cancelled}
                  label="cancellations"
                  href={casesHref(p, drillFilters.outcome("cancelled"), r.bucket)}
                />
              ),
            },
            {
              header: "Reactivated",
              numeric: true,
              render: (r) => (
                <Drill
                  count={r.reactivated}
                  label="cancellations reactivated before they took effect"
                  href={casesHref(p, drillFilters.outcome("reactivated"), r.bucket)}
                />
              ),
            },
            {
              header: "Withdrawn",
              numeric: true,
              render: (r) => (
                <Drill
                  count={r.withdrawn}
                  label="withdrawn cases"
                  href={casesHref(p, drillFilters.outcome("withdrawn"), r.bucket)}
                />
              ),
            },
            { header: "Save rate", numeric: true, render: (r) => formatRate(r.saveRate) },
            {
              header: "Validated save rate",
              numeric: true,
              render: (r) => formatRate(r.validatedSaveRate),
            },
          ]}
        />
      </Section>
      <Section title="Monthly value kept and lost">
        <Stats
          items={[
            {
              label: "Kept by saves",
              value: <MoneyList values={totals.value} minor={(v) => v.keptMinor} />,
            },
            {
              label: "Kept by validated saves",
              value: <MoneyList values={totals.value} minor={(v) => v.validatedKeptMinor} />,
            },
            {
              label: "Lost to cancellations",
              value: <MoneyList values={totals.value} minor={(v) => v.lostMinor} />,
            },
          ]}
        />
        {currencies.map((currency) => (
          <ChartFigure key={currency} title={`Monthly value kept and lost (${currency})`}>
            <BarChart
              h={240}
              data={p.buckets.map((bucket) => {
                const row = value.find((v) => v.bucket === bucket && v.currency === currency);
                return {
                  bucket: periodLabel(bucket, period.bucket),
                  kept: (row?.keptMinor ?? 0) / 100,
                  lost: (row?.lostMinor ?? 0) / 100,
                };
              })}
              dataKey="bucket"
              series={[
                { name: "kept", label: "Kept", color: "teal.6" },
                { name: "lost", label: "Lost", color: "red.6" },
              ]}
              withLegend
            />
          </ChartFigure>
        ))}
        <ReportTable
          caption="Monthly value kept and lost per period"
          csvHref={reportUrl("overview", period, { format: "csv", table: "value" })}
          rows={value}
          rowKey={(r) => `${r.bucket}-${r.currency}`}
          columns={[
            { header: "Period", render: (r) => periodLabel(r.bucket, period.bucket) },
            {
              header: "Kept by saves",
              numeric: true,
              render: (r) => money(r.keptMinor, r.currency),
            },
            {
              header: "Kept by validated saves",
              numeric: true,
              render: (r) => money(r.validatedKeptMinor, r.currency),
            },
            { header: "Lost", numeric: true, render: (r) => money(r.lostMinor, r.currency) },
          ]}
        />
      </Section>
    </Stack>
  );
}

const DIMENSIONS: { value: SaveRateDimension; label: string }[] = [
  { value: "offer", label: "Offer" },
  { value: "reason", label: "Reason" },
  { value: "plan", label: "Plan" },
  { value: "segment", label: "Segment" },
  { value: "channel", label: "Channel" },
  { value: "am", label: "Account manager" },
  { value: "csm", label: "CSM" },
];

export function SaveRatesReport({ period }: { period: PeriodParams }) {
  const [dimension, setDimension] = useState<SaveRateDimension>("offer");
  const report = useReport<SaveRatesJson>("save-rates", period, { dimension });
  const spec = DIMENSIONS.find((d) => d.value === dimension)!;
  return (
    <Section title="Save rate">
      <Select
        label="By"
        data={DIMENSIONS.map((d) => ({ value: d.value, label: d.label }))}
        value={dimension}
        onChange={(v) => v && setDimension(v as SaveRateDimension)}
        allowDeselect={false}
        maw={260}
      />
      {!report.data ? (
        <Pending error={report.error} />
      ) : (
        <>
          <ChartFigure title={`Save rate by ${spec.label.toLowerCase()} (%)`}>
            <BarChart
              h={260}
              data={report.data.rows.map((r) => ({
                label: r.label,
                saved: Math.round((r.saveRate ?? 0) * 1000) / 10,
                validated: Math.round((r.validatedSaveRate ?? 0) * 1000) / 10,
              }))}
              dataKey="label"
              series={[
                { name: "saved", label: "Save rate", color: "teal.4" },
                { name: "validated", label: "Validated save rate", color: "teal.8" },
              ]}
              withLegend
            />
          </ChartFigure>
          <ReportTable
            caption={`Saves and cancellations by ${spec.label.toLowerCase()}`}
            csvHref={reportUrl("save-rates", period, { dimension, format: "csv" })}
            rows={report.data.rows}
            rowKey={(r) => r.key ?? "none"}
            columns={[
              { header: spec.label, render: (r) => r.label },
              {
                header: dimension === "offer" ? "Presented (decided)" : "Decided",
                numeric: true,
                render: (r) => {
                  const filter = drillFilters.saveRateDecided(dimension, r.key);
                  return filter ? (
                    <Drill
                      count={r.decided}
                      label={`cases for ${r.label}`}
                      href={casesHref(report.data.period, filter)}
                    />
                  ) : (
                    r.decided
                  );
                },
              },
              { header: "Saved", numeric: true, render: (r) => r.retained },
              { header: "Validated", numeric: true, render: (r) => r.validated },
              { header: "Pending", numeric: true, render: (r) => r.pending },
              { header: "Lost after save", numeric: true, render: (r) => r.lost },
              { header: "Cancelled", numeric: true, render: (r) => r.cancelled },
              { header: "Save rate", numeric: true, render: (r) => formatRate(r.saveRate) },
              {
                header: "Validated save rate",
                numeric: true,
                render: (r) => formatRate(r.validatedSaveRate),
              },
              {
                header: "Value kept",
                numeric: true,
                render: (r) => (
                  <MoneyList
                    values={r.value.filter((v) => v.keptMinor)}
                    minor={(v) => v.keptMinor}
                  />
                ),
              },
              {
                header: "Value lost",
                numeric: true,
                render: (r) => (
                  <MoneyList
                    values={r.value.filter((v) => v.lostMinor)}
                    minor={(v) => v.lostMinor}
                  />
                ),
              },
            ]}
          />
        </>
      )}
    </Section>
  );
}

const REASON_COLORS = [
  "red.6",
  "orange.6",
  "yellow.6",
  "teal.6",
  "blue.6",
  "grape.6",
  "pink.6",
  "gray.6",
];

function ReasonsReport({ period }: { period: PeriodParams }) {
  const report = useReport<ReasonsJson>("reasons", period);
  if (!report.data) return <Pending error={report.error} />;
  const { reasons, rows } = report.data;
  const p = report.data.period;
  const data = p.buckets.map((bucket) => ({
    bucket,
    ...Object.fromEntries(
      reasons.map((r) => [
        r.code,
        rows.find((row) => row.bucket === bucket && row.reasonCode === r.code)?.cases ?? 0,
      ]),
    ),
  }));
  return (
    <Section title="Reasons over time">
      <ChartFigure title="Cases by reason per period">
        <LineChart
          h={280}
          data={labelledPeriods(data, period.bucket)}
          dataKey="bucket"
          series={reasons.map((r, i) => ({
            name: r.code,
            label: r.label,
            color: REASON_COLORS[i % REASON_COLORS.length]!,
          }))}
          withLegend
          curveType="linear"
        />
      </ChartFigure>
      <ReportTable
        caption="Cases by reason per period"
        csvHref={reportUrl("reasons", period, { format: "csv" })}
        rows={rows.filter((r) => r.cases > 0)}
        rowKey={(r) => `${r.bucket}-${r.reasonCode}`}
        columns={[
          { header: "Period", render: (r) => periodLabel(r.bucket, period.bucket) },
          { header: "Reason", render: (r) => r.label },
          {
            header: "Cases",
            numeric: true,
            render: (r) => {
              const filter = drillFilters.reasonCases(r.reasonCode);
              return filter ? (
                <Drill
                  count={r.cases}
                  label={`cases for ${r.label}`}
                  href={casesHref(p, filter, r.bucket)}
                />
              ) : (
                r.cases
              );
            },
          },
          { header: "Cancelled", numeric: true, render: (r) => r.cancelled },
        ]}
      />
    </Section>
  );
}

function StepTimesReport({ period }: { period: PeriodParams }) {
  const report = useReport<StepTimesJson>("step-times", period);
  if (!report.data) return <Pending error={report.error} />;
  return (
    <Section title="Time spent in each step">
      <ChartFigure title="Median and 90th percentile, in hours">
        <BarChart
          h={260}
          data={report.data.rows.map((r) => ({
            step: `${r.number}. ${r.title}`,
            median: Math.round(((r.medianSeconds ?? 0) / 3600) * 10) / 10,
            p90: Math.round(((r.p90Seconds ?? 0) / 3600) * 10) / 10,
          }))}
          dataKey="step"
          series={[
            { name: "median", label: "Median (h)", color: "blue.4" },
            { name: "p90", label: "90th percentile (h)", color: "blue.8" },
          ]}
          withLegend
        />
      </ChartFigure>
      <ReportTable
        caption="Time spent in each step of the policy"
        csvHref={reportUrl("step-times", period, { format: "csv" })}
        rows={report.data.rows}
        rowKey={(r) => r.step}
        columns={[
          { header: "Step", render: (r) => `${r.number}. ${r.title}` },
          { header: "Cases", numeric: true, render: (r) => r.cases },
          { header: "Median", numeric: true, render: (r) => formatDuration(r.medianSeconds) },
          { header: "90th percentile", numeric: true, render: (r) => formatDuration(r.p90Seconds) },
        ]}
      />
    </Section>
  );
}

function SlaReport({ period }: { period: PeriodParams }) {
  const report = useReport<SlaJson>("sla", period);
  if (!report.data) return <Pending error={report.error} />;
  const { totals } = report.data;
  const p = report.data.period;
  return (
    <Section title="CSM SLA compliance">
      <Stats
        items={[
          { label: "Compliance", value: formatRate(totals.compliance) },
          {
            label: "Escalated (closed in period)",
            value: (
              <Drill
                count={totals.escalated}
                label="escalated cases"
                href={casesHref(p, drillFilters.slaEscalated())}
              />
            ),
          },
          { label: "Waiting for a CSM now", value: totals.openEscalations },
          { label: "Of those, breached", value: totals.openBreached },
        ]}
      />
      <Text size="sm">
        <Anchor component={Link} to="/queues">
          Open the queues
        </Anchor>{" "}
        for the cases at risk or breached now.
      </Text>
      <ReportTable
        caption="CSM engagement within the SLA, per CSM"
        csvHref={reportUrl("sla", period, { format: "csv" })}
        rows={report.data.rows}
        rowKey={(r) => r.csmId ?? "none"}
        columns={[
          { header: "CSM", render: (r) => r.csmName },
          { header: "Escalated", numeric: true, render: (r) => r.escalated },
          { header: "On time", numeric: true, render: (r) => r.met },
          {
            header: "Late",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.late + r.neverEngaged}
                label={`late engagements of ${r.csmName}`}
                href={casesHref(p, drillFilters.slaLate(r.csmId))}
              />
            ),
          },
          { header: "Compliance", numeric: true, render: (r) => formatRate(r.compliance) },
        ]}
      />
    </Section>
  );
}

function FormsReport({ period }: { period: PeriodParams }) {
  const report = useReport<FormsJson>("forms", period);
  if (!report.data) return <Pending error={report.error} />;
  const p = report.data.period;
  return (
    <Section title="Form completion">
      <Stats
        items={[
          { label: "Completion rate", value: formatRate(report.data.totals.completionRate) },
          { label: "Forms sent", value: report.data.totals.sent },
          { label: "Submitted", value: report.data.totals.submitted },
        ]}
      />
      <ChartFigure title="Forms sent and submitted per period">
        <LineChart
          h={240}
          data={labelledPeriods(report.data.series, period.bucket)}
          dataKey="bucket"
          series={[
            { name: "sent", label: "Sent", color: "blue.6" },
            { name: "submitted", label: "Submitted", color: "teal.6" },
          ]}
          withLegend
          curveType="linear"
        />
      </ChartFigure>
      <ReportTable
        caption="Cancellation Request Form completion per period"
        csvHref={reportUrl("forms", period, { format: "csv" })}
        rows={report.data.series}
        rowKey={(r) => r.bucket}
        columns={[
          { header: "Period", render: (r) => periodLabel(r.bucket, period.bucket) },
          {
            header: "Sent",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.sent}
                label="cases the form was sent to"
                href={casesHref(p, drillFilters.formsSent(), r.bucket)}
              />
            ),
          },
          {
            header: "Submitted",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.submitted}
                label="cases with a submitted form"
                href={casesHref(p, drillFilters.formsSubmitted(), r.bucket)}
              />
            ),
          },
          {
            header: "Not submitted",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.sent - r.submitted}
                label="cases without a submitted form"
                href={casesHref(p, drillFilters.formsNotSubmitted(), r.bucket)}
              />
            ),
          },
          { header: "Completion rate", numeric: true, render: (r) => formatRate(r.completionRate) },
        ]}
      />
    </Section>
  );
}

function FeedbackReport({ period }: { period: PeriodParams }) {
  const report = useReport<FeedbackJson>("feedback", period);
  if (!report.data) return <Pending error={report.error} />;
  const p = report.data.period;
  return (
    <Section title="Feedback">
      <Stats
        items={[
          { label: "Responses", value: report.data.totals.responses },
          { label: "Average rating (1-5)", value: report.data.totals.averageRating ?? "—" },
        ]}
      />
      <ChartFigure title="Responses by rating">
        <BarChart
          h={220}
          data={report.data.ratings.map((r) => ({
            rating: String(r.rating),
            responses: r.responses,
          }))}
          dataKey="rating"
          series={[{ name: "responses", label: "Responses", color: "blue.6" }]}
        />
      </ChartFigure>
      <ReportTable
        caption="Feedback ratings"
        csvHref={reportUrl("feedback", period, { format: "csv", table: "ratings" })}
        rows={report.data.ratings}
        rowKey={(r) => String(r.rating)}
        columns={[
          { header: "Rating", render: (r) => r.rating },
          {
            header: "Responses",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.responses}
                label={`cases rated ${r.rating}`}
                href={casesHref(p, drillFilters.feedbackRating(r.rating))}
              />
            ),
          },
        ]}
      />
      <ReportTable
        caption="What led customers to their decision"
        csvHref={reportUrl("feedback", period, { format: "csv", table: "reasons" })}
        rows={report.data.reasons}
        rowKey={(r) => r.reasonCode}
        columns={[
          { header: "Reason", render: (r) => r.label },
          {
            header: "Responses",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.responses}
                label={`feedback naming ${r.label}`}
                href={casesHref(p, drillFilters.feedbackReason(r.reasonCode))}
              />
            ),
          },
          { header: "Average rating", numeric: true, render: (r) => r.averageRating ?? "—" },
        ]}
      />
    </Section>
  );
}

export function AdherenceReport({ period }: { period: PeriodParams }) {
  const report = useReport<AdherenceJson>("adherence", period);
  if (!report.data) return <Pending error={report.error} />;
  const { totals } = report.data;
  const p = report.data.period;
  return (
    <Section title="Policy adherence">
      <Text size="sm" c="dimmed">
        A closed case adheres when it went through every step its policy version asks for, in order,
        on time, with its evidence. Cases are judged by the version they were opened under.
      </Text>
      <Stats
        items={[
          { label: "Adherence", value: formatRate(totals.adherenceRate) },
          { label: "Closed cases", value: totals.closed },
          {
            label: "Falling short",
            value: (
              <Drill
                count={totals.notAdherent}
                label="cases that fell short of the policy"
                href={casesHref(p, drillFilters.notAdherent())}
              />
            ),
          },
        ]}
      />
      <ChartFigure title="Adherence by account manager (%)">
        <BarChart
          h={240}
          data={report.data.byAm.map((r) => ({
            am: r.amName,
            adherence: Math.round((r.adherenceRate ?? 0) * 1000) / 10,
          }))}
          dataKey="am"
          series={[{ name: "adherence", label: "Adherent (%)", color: "teal.6" }]}
        />
      </ChartFigure>
      <ReportTable
        caption="Adherence by account manager"
        csvHref={reportUrl("adherence", period, { format: "csv", table: "by_am" })}
        rows={report.data.byAm}
        rowKey={(r) => r.amId ?? "none"}
        columns={[
          { header: "Account manager", render: (r) => r.amName },
          { header: "Closed", numeric: true, render: (r) => r.closed },
          { header: "Adherent", numeric: true, render: (r) => r.adherent },
          {
            header: "Falling short",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.notAdherent}
                label={`cases of ${r.amName} that fell short`}
                href={casesHref(p, drillFilters.notAdherentOfAm(r.amId))}
              />
            ),
          },
          { header: "Adherence", numeric: true, render: (r) => formatRate(r.adherenceRate) },
        ]}
      />
      <ReportTable
        caption="Steps missed"
        csvHref={reportUrl("adherence", period, { format: "csv", table: "misses" })}
        rows={report.data.misses}
        rowKey={(r) => `${r.step}-${r.rule}`}
        columns={[
          { header: "Step", render: (r) => r.stepTitle },
          { header: "Rule", render: (r) => humanize(r.rule.toLowerCase()) },
          {
            header: "Cases",
            numeric: true,
            render: (r) => (
              <Drill
                count={r.cases}
                label={`cases that missed ${r.stepTitle}: ${humanize(r.rule.toLowerCase())}`}
                href={casesHref(p, drillFilters.missed(r.step, r.rule))}
              />
            ),
          },
        ]}
      />
    </Section>
  );
}
