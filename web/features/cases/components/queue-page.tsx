// The queues: my open cases, unassigned, escalated to me, SLA at risk or breached, all, each tab
// with its count; with filters, search, sortable columns and pages (the server's nextCursor, which
// belongs to the sort order, so changing the order starts again at page 1).
import {
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { PageButtons } from "../../../components/page-buttons.tsx";
import { dueIn, formatDateTime, humanize, STATE_COLORS } from "../../../lib/format.ts";
import type { UserJson } from "../../../lib/types.ts";
import { usePlans, useStaff } from "../../accounts/api/accounts.ts";
import { type QueueName, type QueueSort, useCaseQueue, useQueueCounts } from "../api/cases.ts";

const QUEUES: { value: QueueName; label: string }[] = [
  { value: "mine", label: "My open cases" },
  { value: "unassigned", label: "Unassigned" },
  { value: "escalated_to_me", label: "Escalated to me" },
  { value: "sla_at_risk", label: "SLA at risk" },
  { value: "sla_breached", label: "SLA breached" },
  { value: "all", label: "All cases" },
];
const STATES = [
  "intake",
  "form",
  "retention",
  "escalated",
  "finalizing",
  "cancelled",
  "feedback",
  "closed",
];
const OUTCOMES = ["cancelled", "retained", "withdrawn", "unverified"];
const STATUSES = ["open", "closed"];
const CHANNELS = ["phone", "email", "chat", "portal", "api"];
const options = (values: string[]) => values.map((v) => ({ value: v, label: humanize(v) }));

/** The server counts up to 10,000 (COUNT_CAP in cases.repository.ts); past it, "10,000+". */
const COUNT_CAP = 10_000;
const countText = (n: number) =>
  n >= COUNT_CAP ? `${COUNT_CAP.toLocaleString()}+` : n.toLocaleString();

interface Order {
  sort: QueueSort;
  order: "asc" | "desc";
}

/** A column header that sorts the queue; aria-sort tells assistive technology the order. */
function SortHeader({
  label,
  sort,
  current,
  onSort,
}: {
  label: string;
  sort: QueueSort;
  current: Order;
  onSort: (order: Order) => void;
}) {
  const active = current.sort === sort;
  const next: Order = active
    ? { sort, order: current.order === "asc" ? "desc" : "asc" }
    : { sort, order: sort === "sla_due" || sort === "reference" ? "asc" : "desc" };
  return (
    <Table.Th aria-sort={active ? (current.order === "asc" ? "ascending" : "descending") : "none"}>
      <UnstyledButton
        onClick={() => onSort(next)}
        fw={700}
        fz="sm"
        aria-label={`${label}: sort ${next.order === "asc" ? "ascending" : "descending"}`}
      >
        {label}
        <span aria-hidden> {active ? (current.order === "asc" ? "▲" : "▼") : "↕"}</span>
      </UnstyledButton>
    </Table.Th>
  );
}

/** When the CSM must engage: the time, and how far off it is (overdue in red). */
function DueCell({ at }: { at: string }) {
  const due = dueIn(at);
  return (
    <>
      {formatDateTime(at)}
      <Text size="xs" c={due.overdue ? "red.9" : "dimmed"} fw={due.overdue ? 700 : undefined}>
        {due.text}
      </Text>
    </>
  );
}

/**
 * The "opened between" days as the instants the server compares (openedFrom <= opened_at <
 * openedTo): the start of the first day and of the day after the last, in the user's own time
 * zone. A date-only value would be read as UTC midnight and leave the last day out.
 */
export function openedBetween(
  from: string | undefined,
  to: string | undefined,
): { openedFrom?: string; openedTo?: string } {
  const startOf = (day: string, plusDays = 0) => {
    const [y, m, d] = day.split("-").map(Number);
    if (!y || !m || !d) return undefined;
    return new Date(y, m - 1, d + plusDays).toISOString();
  };
  return {
    openedFrom: from ? startOf(from) : undefined,
    openedTo: to ? startOf(to, 1) : undefined,
  };
}

/** The filters a queue keeps in its URL, besides the tab, the search and the order. */
const FILTER_KEYS = [
  "status",
  "state",
  "outcome",
  "planId",
  "channel",
  "assignedAmId",
  "assignedCsmId",
  "openedFrom",
  "openedTo",
] as const;
type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

export function QueuePage({ user }: { user: UserJson }) {
  // The tab, search, filters and order live in the URL: back from a case, a shared link or a
  // reload shows the same list (only the page goes back to the first).
  const [params, setParams] = useSearchParams();
  // Changes made before the next render (a tab, then a search typed at once) build on each other:
  // the router's own `previous` is the last render's, which would drop the first change.
  const pending = useRef<{ after: URLSearchParams; next: URLSearchParams } | null>(null);
  const update = (changes: Record<string, string | null | undefined>) => {
    // A pending change made since this render's URL still stands; a newer URL replaces it.
    const base = pending.current?.after === params ? pending.current.next : params;
    const next = new URLSearchParams(base);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    pending.current = { after: params, next };
    setParams(next, { replace: true });
  };
  const queue =
    (QUEUES.find((item) => item.value === params.get("queue"))?.value as QueueName | undefined) ??
    (user.role === "csm" ? "escalated_to_me" : "mine");
  const search = params.get("q") ?? "";
  const setSearch = (value: string) => update({ q: value });
  const [q] = useDebouncedValue(search, 300);
  const filters: Filters = Object.fromEntries(
    FILTER_KEYS.flatMap((key) => {
      const value = params.get(key);
      return value ? [[key, value]] : [];
    }),
  );
  const [cursors, setCursors] = useState<string[]>([]);
  // The CSM's queues are worked soonest due first; the others newest opened first.
  const byDue = queue === "escalated_to_me" || queue === "sla_at_risk" || queue === "sla_breached";
  const order: Order = params.get("sort")
    ? {
        sort: params.get("sort") as QueueSort,
        order: params.get("order") === "asc" ? "asc" : "desc",
      }
    : byDue
      ? { sort: "sla_due", order: "asc" }
      : { sort: "opened", order: "desc" };
  const setOrder = (next: Order) => update({ sort: next.sort, order: next.order });
  const cursor = cursors[cursors.length - 1];
  const staff = useStaff();
  const plans = usePlans();
  const counts = useQueueCounts();
  // Every queue but "All cases" holds open cases only: whether a case is closed, and how it
  // ended, are asked there alone (kept in the URL for when the user goes back to it).
  const closedAsked = queue === "all";
  const { status, outcome, ...openFilters } = filters;
  const list = useCaseQueue({
    queue,
    q,
    ...order,
    ...openFilters,
    ...(closedAsked ? { status, outcome } : {}),
    ...openedBetween(filters.openedFrom, filters.openedTo),
    ...(cursor ? { cursor } : {}),
  });
  const sortBy = (next: Order) => {
    setCursors([]);
    setOrder(next);
  };
  const people = (role: string) =>
    (staff.data?.items ?? [])
      .filter((u) => u.role === role)
      .map((u) => ({ value: u.id, label: u.name }));
  const setFilter = (key: keyof Filters, value: string | null) => {
    setCursors([]);
    update({ [key]: value });
  };
  const names = new Map((staff.data?.items ?? []).map((u) => [u.id, u.name]));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Queues</Title>
        <Button component={Link} to="/cases/new">
          New case
        </Button>
      </Group>
      <Tabs
        value={queue}
        onChange={(v) => {
          setCursors([]);
          update({ queue: v ?? "all" });
        }}
      >
        <Tabs.List>
          {QUEUES.map((item) => (
            <Tabs.Tab
              key={item.value}
              value={item.value}
              rightSection={
                counts.data ? (
                  <Badge size="sm" variant="light" color="gray">
                    {countText(counts.data[item.value])}
                  </Badge>
                ) : null
              }
            >
              {item.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <TextInput
        label="Search"
        description="Case reference, account, or contact name or email"
        value={search}
        onChange={(e) => {
          setCursors([]);
          setSearch(e.currentTarget.value);
        }}
      />
      <SimpleGrid cols={{ base: 2, md: 3, lg: 9 }}>
        <Select
          label="Status"
          clearable
          data={options(STATUSES)}
          value={closedAsked ? (filters.status ?? null) : "open"}
          disabled={!closedAsked}
          description={closedAsked ? undefined : "This queue holds open cases"}
          onChange={(v) => setFilter("status", v)}
        />
        <Select
          label="State"
          clearable
          data={options(STATES)}
          value={filters.state ?? null}
          onChange={(v) => setFilter("state", v)}
        />
        <Select
          label="Outcome"
          clearable
          data={options(OUTCOMES)}
          value={closedAsked ? (filters.outcome ?? null) : null}
          disabled={!closedAsked}
          description={closedAsked ? undefined : "Closed cases are in All cases"}
          onChange={(v) => setFilter("outcome", v)}
        />
        <Select
          label="Plan"
          clearable
          data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={filters.planId ?? null}
          onChange={(v) => setFilter("planId", v)}
        />
        <Select
          label="Channel"
          clearable
          data={options(CHANNELS)}
          value={filters.channel ?? null}
          onChange={(v) => setFilter("channel", v)}
        />
        <Select
          label="Account manager"
          clearable
          searchable
          data={people("account_manager")}
          value={filters.assignedAmId ?? null}
          onChange={(v) => setFilter("assignedAmId", v)}
        />
        <Select
          label="CSM"
          clearable
          searchable
          data={people("csm")}
          value={filters.assignedCsmId ?? null}
          onChange={(v) => setFilter("assignedCsmId", v)}
        />
        <TextInput
          label="Opened from"
          type="date"
          value={filters.openedFrom ?? ""}
          onChange={(e) => setFilter("openedFrom", e.currentTarget.value || null)}
        />
        <TextInput
          label="Opened to"
          type="date"
          value={filters.openedTo ?? ""}
          onChange={(e) => setFilter("openedTo", e.currentTarget.value || null)}
        />
      </SimpleGrid>
      {list.error ? <ErrorPanel error={list.error} /> : null}
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover aria-label="Cases">
          <Table.Thead>
            <Table.Tr>
              <SortHeader label="Case" sort="reference" current={order} onSort={sortBy} />
              <Table.Th>Account</Table.Th>
              <Table.Th>Requester</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Form</Table.Th>
              <Table.Th>AM</Table.Th>
              <Table.Th>CSM</Table.Th>
              <SortHeader label="CSM due" sort="sla_due" current={order} onSort={sortBy} />
              <SortHeader label="Updated" sort="updated" current={order} onSort={sortBy} />
              <SortHeader label="Opened" sort="opened" current={order} onSort={sortBy} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data?.items ?? []).map(({ case: c, accountName, requesterName }) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/cases/${c.reference}`}>
                    {c.reference}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/accounts/${c.accountId}`}>
                    {accountName}
                  </Anchor>
                </Table.Td>
                <Table.Td>{requesterName}</Table.Td>
                <Table.Td>
                  {/* A badge's label may shrink to "ESCA…" when the table is squeezed (1366 px):
                      it keeps its full width, and the column makes room for it. */}
                  <Badge
                    color={STATE_COLORS[c.state] ?? "gray"}
                    variant="light"
                    style={{ minWidth: "max-content" }}
                  >
                    {humanize(c.state)}
                  </Badge>
                  {c.outcome ? <Text size="xs">{humanize(c.outcome)}</Text> : null}
                </Table.Td>
                <Table.Td>{humanize(c.formStatus)}</Table.Td>
                <Table.Td>
                  {c.assignedAmId ? (names.get(c.assignedAmId) ?? "—") : "Unassigned"}
                </Table.Td>
                <Table.Td>{c.assignedCsmId ? (names.get(c.assignedCsmId) ?? "—") : "—"}</Table.Td>
                <Table.Td>
                  {c.escalation && !c.escalation.engagedAt ? (
                    <DueCell at={c.escalation.slaDueAt} />
                  ) : (
                    "—"
                  )}
                </Table.Td>
                <Table.Td>{formatDateTime(c.updatedAt)}</Table.Td>
                <Table.Td>{formatDateTime(c.openedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.data && list.data.items.length === 0 ? (
        <Text c="dimmed">
          No cases in this queue
          {q || Object.values(filters).some(Boolean) ? " match these filters" : ""}.
        </Text>
      ) : null}
      <PageButtons cursors={cursors} onChange={setCursors} nextCursor={list.data?.nextCursor}>
        <Text size="sm" c="dimmed" data-testid="queue-total">
          Page {cursors.length + 1}
          {list.data
            ? list.data.total >= COUNT_CAP
              ? ` · ${countText(list.data.total)} cases`
              : ` of ${Math.max(1, Math.ceil(list.data.total / 25))} · ${list.data.total} case${list.data.total === 1 ? "" : "s"}`
            : ""}
        </Text>
      </PageButtons>
    </Stack>
  );
}
