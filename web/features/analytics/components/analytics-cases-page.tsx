// The cases behind an analytics figure: the closed cases of the period that match the figure's
// filters (outcome, save status, reason, offer, AM, adherence...), newest first, each opening its
// case workspace; with the steps a case missed and a CSV download of the list.
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { PageButtons } from "../../../components/page-buttons.tsx";
import { formatDateTime, formatMoney, humanize, localTimesIn } from "../../../lib/format.ts";
import { useAnalyticsCases } from "../api/analytics.ts";

const SAVE_COLORS: Record<string, string> = {
  validated: "teal",
  pending: "yellow",
  lost: "orange",
};

export function AnalyticsCasesPage() {
  const [params] = useSearchParams();
  const filter = Object.fromEntries(params.entries());
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useAnalyticsCases(filter, cursor);
  const csv = new URLSearchParams({ ...filter, format: "csv" });
  const described = Object.entries(filter)
    .filter(([key]) => key !== "from" && key !== "to")
    .map(([key, value]) => `${humanize(key.replace(/([A-Z])/g, "_$1").toLowerCase())}: ${value}`)
    .join(", ");

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Cases behind the figure</Title>
        <Group>
          <Button component={Link} to="/analytics" variant="default">
            Back to analytics
          </Button>
          <Button component="a" href={`/api/analytics/cases?${csv.toString()}`} download>
            Download CSV
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Closed from {formatDateTime(filter.from)} to {formatDateTime(filter.to)}
        {described ? ` · ${described}` : ""}
      </Text>
      {list.error ? <ErrorPanel error={list.error} /> : null}
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover captionSide="top">
          <Table.Caption>Closed cases, newest first</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Case</Table.Th>
              <Table.Th scope="col">Account</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Reason</Table.Th>
              <Table.Th scope="col">AM</Table.Th>
              <Table.Th scope="col">Monthly value</Table.Th>
              <Table.Th scope="col">Closed</Table.Th>
              <Table.Th scope="col">Policy adherence</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data?.items ?? []).map((c) => (
              <Table.Tr key={c.caseId}>
                <Table.Td>
                  <Anchor component={Link} to={`/cases/${c.caseId}`}>
                    {c.reference}
                  </Anchor>
                </Table.Td>
                <Table.Td>{c.accountName}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {humanize(c.outcome)}
                    {c.saveStatus ? (
                      <Badge color={SAVE_COLORS[c.saveStatus]} variant="light">
                        {c.saveStatus === "lost" ? "lost after save" : c.saveStatus}
                      </Badge>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>{humanize(c.reasonCode)}</Table.Td>
                <Table.Td>{c.amName ?? "Unassigned"}</Table.Td>
                <Table.Td>{formatMoney(c.monthlyValueMinor, c.currency)}</Table.Td>
                <Table.Td>{formatDateTime(c.closedAt)}</Table.Td>
                <Table.Td>
                  {c.adherent ? (
                    "Adherent"
                  ) : (
                    <Stack gap={2}>
                      {c.misses.map((m) => (
                        <Text key={`${m.step}-${m.rule}`} size="sm">
                          <strong>{humanize(m.step)}</strong>: {localTimesIn(m.detail)}
                        </Text>
                      ))}
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={8}>
                  <Text c="dimmed" size="sm">
                    No case matches.
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <PageButtons cursors={cursors} onChange={setCursors} nextCursor={list.data?.nextCursor} />
    </Stack>
  );
}
