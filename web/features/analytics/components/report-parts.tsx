// Pieces every analytics report shares: a table with a caption and its CSV download, a chart in a
// figure whose caption points to the table (the chart's text alternative), figures as numbers.
import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { formatMoney } from "../../../lib/format.ts";
import type { Bucket } from "../api/analytics.ts";

export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function money(minor: number, currency: string): string {
  return formatMoney(minor, currency);
}

/**
 * Sums of money in several currencies: one figure per currency, one per line, never added
 * together ("—" when there is none).
 */
export function MoneyList<V extends { currency: string }>({
  values,
  minor,
}: {
  values: readonly V[];
  minor: (value: V) => number;
}) {
  if (values.length === 0) return <>—</>;
  return (
    <>
      {values.map((v) => (
        <Text span display="block" inherit key={v.currency}>
          {money(minor(v), v.currency)}
        </Text>
      ))}
    </>
  );
}

export interface Column<Row> {
  header: string;
  render: (row: Row) => ReactNode;
  numeric?: boolean;
}

export function ReportTable<Row>({
  caption,
  csvHref,
  columns,
  rows,
  rowKey,
}: {
  caption: string;
  csvHref: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
}) {
  return (
    <Stack gap="xs">
      <Group justify="flex-end">
        <Button
          component="a"
          href={csvHref}
          download
          variant="default"
          size="xs"
          aria-label={`Download CSV of ${caption}`}
        >
          Download CSV
        </Button>
      </Group>
      <Table.ScrollContainer minWidth={480}>
        <Table striped highlightOnHover captionSide="top">
          <Table.Caption>{caption}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.header} scope="col" ta={c.numeric ? "right" : undefined}>
                  {c.header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>
                  <Text c="dimmed" size="sm">
                    Nothing in this period.
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : (
              rows.map((row, index) => (
                <Table.Tr key={rowKey(row, index)}>
                  {columns.map((c) => (
                    <Table.Td key={c.header} ta={c.numeric ? "right" : undefined}>
                      {c.render(row)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** A chart with a caption; the table that follows it carries the same figures in text. */
export function ChartFigure({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm" component="figure" m={0}>
      <Text component="figcaption" size="sm" fw={600} mb="xs">
        {title}{" "}
        <Text span c="dimmed" size="xs">
          (the figures are in the table below)
        </Text>
      </Text>
      {children}
    </Paper>
  );
}

/** Buckets start at midnight UTC (the server's periods): "Dec 2025", "Week of Dec 1, 2025". */
const MONTH = new Intl.DateTimeFormat(undefined, {
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
export function periodLabel(start: string, bucket: Bucket): string {
  const at = new Date(start);
  if (Number.isNaN(at.getTime())) return start;
  return bucket === "month" ? MONTH.format(at) : `Week of ${DAY.format(at)}`;
}

/** Rows for a chart, with each bucket named as people read it. */
export function labelledPeriods<Row extends { bucket: string }>(
  rows: Row[],
  bucket: Bucket,
): Row[] {
  return rows.map((r) => ({ ...r, bucket: periodLabel(r.bucket, bucket) }));
}

export function Stats({
  items,
}: {
  items: { label: string; value: ReactNode; note?: ReactNode }[];
}) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} component="dl" m={0}>
      {items.map((item) => (
        <Paper key={item.label} withBorder p="sm">
          <Text component="dt" size="xs" c="dimmed">
            {item.label}
          </Text>
          <Text component="dd" m={0} fw={700} size="xl">
            {item.value}
          </Text>
          {item.note ? (
            <Text component="dd" m={0} size="xs" c="dimmed">
              {item.note}
            </Text>
          ) : null}
        </Paper>
      ))}
    </SimpleGrid>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="sm" component="section" aria-label={title}>
      <Title order={2} size="h3">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

/** A number that opens the cases behind it (plain text when there are none). */
export function Drill({ count, href, label }: { count: number; href: string; label: string }) {
  if (count === 0) return <>0</>;
  return (
    <Anchor component={Link} to={href} aria-label={`${count}: show the ${label}`}>
      {count}
    </Anchor>
  );
}
