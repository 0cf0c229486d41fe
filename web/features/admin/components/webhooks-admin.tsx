// Webhook endpoints for other systems (billing, CRM): the endpoints with the events they get,
// registering one (its signing secret shown once, beside the form, with a copy button), turning
// one off and on, rotating its secret and deleting it (both asked first), and each endpoint's
// recent deliveries with what happened to them and "Send again".
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, type RefObject, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { formatDateTime } from "../../../lib/format.ts";
import {
  type DeliveryStatus,
  type EndpointWithSecret,
  RECENT_DELIVERIES,
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  useReplayWebhookDelivery,
  useRotateWebhookSecret,
  useSetWebhookEndpointActive,
  useWebhookDeliveries,
  useWebhookEndpoints,
  WEBHOOK_EVENTS,
  type WebhookDeliveryJson,
  type WebhookEndpointJson,
} from "../api/webhooks.ts";

/** What the last change did, said on the page (and read out: it takes focus). */
interface Notice {
  ok: boolean;
  text: string;
}

/** A signing secret just made: by a create (shown by the form) or a rotation (above the list). */
interface Revealed {
  made: "created" | "rotated";
  endpoint: EndpointWithSecret;
}

export function WebhooksAdmin() {
  const endpoints = useWebhookEndpoints();
  const setActive = useSetWebhookEndpointActive();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhookEndpoint();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const rotatedRef = useRef<HTMLDivElement>(null);

  const items = endpoints.data?.items ?? [];
  // A secret is only worth showing while its endpoint exists.
  const shown = revealed && items.some((e) => e.id === revealed.endpoint.id) ? revealed : null;
  const open = items.find((e) => e.id === openId) ?? null;

  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  useEffect(() => {
    if (revealed?.made === "rotated") rotatedRef.current?.focus();
  }, [revealed]);

  const say = (ok: boolean, text: string) => setNotice({ ok, text });
  const failed = (what: string) => (error: Error) => say(false, `${what}: ${error.message}`);

  const toggle = (endpoint: WebhookEndpointJson) =>
    setActive.mutate(
      { id: endpoint.id, active: !endpoint.active },
      {
        onSuccess: (saved) =>
          say(
            true,
            saved.active
              ? `${saved.url} is enabled: new events go to it, and its waiting retries go on.`
              : `${saved.url} is disabled: new events are not sent to it, and its waiting retries wait until it is enabled again.`,
          ),
        onError: failed(`${endpoint.url} was not changed`),
      },
    );
  const rotateSecret = (endpoint: WebhookEndpointJson) =>
    rotate.mutate(endpoint.id, {
      onSuccess: (saved) => {
        setNotice(null);
        setRevealed({ made: "rotated", endpoint: saved });
      },
      onError: failed(`The secret of ${endpoint.url} was not rotated`),
    });
  const deleteEndpoint = (endpoint: WebhookEndpointJson) =>
    remove.mutate(endpoint, {
      onSuccess: () => {
        if (openId === endpoint.id) setOpenId(null);
        say(true, `${endpoint.url} is deleted: nothing more is sent to it.`);
      },
      onError: failed(`${endpoint.url} was not deleted`),
    });

  return (
    // URLs are long words: they wrap anywhere rather than push a phone's page sideways.
    <Stack style={{ overflowWrap: "anywhere" }}>
      <Title order={1}>Webhooks</Title>
      <Text maw={760}>
        Other systems (billing, a CRM) are told of each case event they subscribe to by a signed{" "}
        <Code>POST</Code> to their URL; failed deliveries are retried. The README's “Webhooks”
        section says how a receiver checks the <Code>CancelDesk-Signature</Code> header.
      </Text>
      {notice ? (
        <Alert
          color={notice.ok ? "green" : "red"}
          role={notice.ok ? "status" : "alert"}
          ref={noticeRef}
          tabIndex={-1}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setNotice(null)}
        >
          {notice.text}
        </Alert>
      ) : null}
      {shown?.made === "rotated" ? (
        <SecretShown revealed={shown} focusRef={rotatedRef} onDone={() => setRevealed(null)} />
      ) : null}
      {endpoints.error ? <ErrorPanel error={endpoints.error} /> : null}
      <Table.ScrollContainer minWidth={880}>
        <Table aria-label="Webhook endpoints" style={{ overflowWrap: "normal" }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>URL</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Secret ends</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td miw={220} style={{ overflowWrap: "anywhere" }}>
                  <Text size="sm">{e.url}</Text>
                  {e.description ? (
                    <Text size="xs" c="dimmed">
                      {e.description}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <EventList events={e.events} />
                </Table.Td>
                <Table.Td miw={100}>
                  <Badge color={e.active ? "green" : "gray"} variant="light">
                    {e.active ? "Active" : "Disabled"}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Code>…{e.secretHint}</Code>
                </Table.Td>
                <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="xs"
                      variant={openId === e.id ? "filled" : "default"}
                      aria-expanded={openId === e.id}
                      aria-controls="webhook-deliveries"
                      aria-label={`Deliveries to ${e.url}`}
                      onClick={() => setOpenId(openId === e.id ? null : e.id)}
                    >
                      Deliveries
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`${e.active ? "Disable" : "Enable"} ${e.url}`}
                      loading={setActive.isPending && setActive.variables?.id === e.id}
                      onClick={() => toggle(e)}
                    >
                      {e.active ? "Disable" : "Enable"}
                    </Button>
                    <ConfirmButton
                      size="xs"
                      variant="default"
                      aria-label={`Rotate secret of ${e.url}`}
                      title={`Rotate the signing secret of ${e.url}?`}
                      message="A new secret is made and shown once. The current one stops working at once: the receiver refuses what we send until it holds the new secret, so have it ready to change there."
                      confirmLabel="Rotate the secret"
                      loading={rotate.isPending && rotate.variables === e.id}
                      onConfirm={() => rotateSecret(e)}
                    >
                      Rotate secret
                    </ConfirmButton>
                    <ConfirmButton
                      size="xs"
                      variant="default"
                      color="red"
                      aria-label={`Delete ${e.url}`}
                      title={`Delete the endpoint ${e.url}?`}
                      message="Nothing more is sent to it, and its deliveries still waiting fail (“the endpoint was deleted”); the server keeps its delivery log. A deleted endpoint cannot be brought back: to send to this URL again, add it again, with a new secret. To pause it instead, disable it."
                      confirmLabel="Delete the endpoint"
                      loading={remove.isPending && remove.variables?.id === e.id}
                      onConfirm={() => deleteEndpoint(e)}
                    >
                      Delete
                    </ConfirmButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {endpoints.data && items.length === 0 ? (
        <Text c="dimmed">No webhook endpoints yet.</Text>
      ) : null}
      <section id="webhook-deliveries" aria-label="Deliveries">
        {open ? <Deliveries endpoint={open} /> : null}
      </section>
      <CreateEndpoint
        revealed={shown?.made === "created" ? shown : null}
        onCreated={(endpoint) => {
          setNotice(null);
          setRevealed({ made: "created", endpoint });
        }}
        onDone={() => setRevealed(null)}
      />
    </Stack>
  );
}

function EventList({ events }: { events: string[] }) {
  if (WEBHOOK_EVENTS.every((t) => events.includes(t))) return <Text size="sm">All events</Text>;
  return (
    <Stack gap={2}>
      {events.map((t) => (
        <Code key={t}>{t}</Code>
      ))}
    </Stack>
  );
}

function SecretShown({
  revealed,
  focusRef,
  onDone,
}: {
  revealed: Revealed;
  focusRef: RefObject<HTMLDivElement | null>;
  onDone: () => void;
}) {
  const { endpoint, made } = revealed;
  return (
    <Alert
      color="green"
      role="status"
      title={`The ${made === "rotated" ? "new " : ""}signing secret for ${endpoint.url}: copy it now, it is shown only once`}
      ref={focusRef}
      tabIndex={-1}
    >
      <Stack gap="xs">
        {made === "rotated" ? (
          <Text size="sm">The old secret no longer works: give the receiver this one.</Text>
        ) : null}
        <Code block style={{ whiteSpace: "pre-wrap" }}>
          {endpoint.secret}
        </Code>
        <Group>
          <CopyButton value={endpoint.secret}>
            {({ copied, copy }) => (
              <Button size="xs" onClick={copy} color={copied ? "teal" : undefined}>
                {copied ? "Copied" : "Copy the secret"}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone}>
            I have stored it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

function CreateEndpoint({
  revealed,
  onCreated,
  onDone,
}: {
  revealed: Revealed | null;
  onCreated: (endpoint: EndpointWithSecret) => void;
  onDone: () => void;
}) {
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<string[]>([]);
  const urlRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLInputElement>(null);
  const eventsRef = useRef<HTMLDivElement>(null);
  const secretRef = useRef<HTMLDivElement>(null);
  const error = create.error instanceof ApiError ? create.error : null;
  const field = (name: string) => error?.fieldMessage(name);
  const named = ["url", "description", "events"].some((f) => field(f));

  // After a refusal, focus goes to the first field to fix; after a create, to the secret.
  useEffect(() => {
    if (!error) return;
    if (error.fieldMessage("url")) urlRef.current?.focus();
    else if (error.fieldMessage("description")) descriptionRef.current?.focus();
    else if (error.fieldMessage("events")) eventsRef.current?.querySelector("input")?.focus();
  }, [error]);
  useEffect(() => {
    if (revealed) secretRef.current?.focus();
  }, [revealed]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = description.trim();
    create.mutate(
      { url: url.trim(), description: trimmed === "" ? null : trimmed, events },
      {
        onSuccess: (endpoint) => {
          setUrl("");
          setDescription("");
          setEvents([]);
          onCreated(endpoint);
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" maw={720}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4">
            Add an endpoint
          </Title>
          <TextInput
            ref={urlRef}
            label="URL"
            description="Where the events are sent: an http:// or https:// address the receiver listens on"
            required
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={field("url")}
          />
          <TextInput
            ref={descriptionRef}
            label="Description"
            description="Optional: which system it is, e.g. Billing"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={field("description")}
          />
          <Checkbox.Group
            ref={eventsRef}
            label="Events to send"
            description="At least one"
            required
            value={events}
            onChange={setEvents}
            error={field("events")}
          >
            <SimpleGrid cols={{ base: 1, xs: 2 }} mt="xs" spacing="xs">
              {WEBHOOK_EVENTS.map((t) => (
                <Checkbox key={t} value={t} label={t} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          {create.error && !named ? (
            <Alert color="red" role="alert">
              The endpoint was not added: {create.error.message}
            </Alert>
          ) : null}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </Group>
          {revealed ? (
            <SecretShown revealed={revealed} focusRef={secretRef} onDone={onDone} />
          ) : null}
        </Stack>
      </form>
    </Paper>
  );
}

const STATUS_COLORS: Record<DeliveryStatus, string> = {
  delivered: "green",
  failed: "red",
  pending: "yellow",
  sending: "blue",
};
const STATUS_LABELS: Record<DeliveryStatus, string> = {
  delivered: "Delivered",
  failed: "Failed",
  pending: "Pending",
  sending: "Sending",
};

/** What happened to a delivery, in words: when it arrived, why it failed, when it goes next. */
function outcome(d: WebhookDeliveryJson): string {
  const answer = d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : null;
  const why = [d.lastError, answer].filter(Boolean).join(" — ");
  const tries = `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`;
  switch (d.status) {
    case "delivered":
      return `Delivered ${formatDateTime(d.deliveredAt)}${answer ? ` (${answer})` : ""}`;
    case "failed":
      return `Failed after ${tries}: ${why || "no answer"}`;
    case "sending":
      return "Being sent now";
    case "pending":
      return d.attempts === 0
        ? `Next attempt ${formatDateTime(d.nextAttemptAt)}`
        : `Next attempt ${formatDateTime(d.nextAttemptAt)}; last of ${tries}: ${why || "no answer"}`;
  }
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpointJson }) {
  const [status, setStatus] = useState<DeliveryStatus | null>(null);
  const deliveries = useWebhookDeliveries(endpoint.id, status);
  const replay = useReplayWebhookDelivery();
  const [notice, setNotice] = useState<Notice | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  const items = deliveries.data?.items ?? [];

  const sendAgain = (d: WebhookDeliveryJson) =>
    replay.mutate(d, {
      onSuccess: () =>
        setNotice({
          ok: true,
          text: `The ${d.topic} event goes to ${endpoint.url} again, as a new delivery at the top of the list.`,
        }),
      onError: (error) =>
        setNotice({ ok: false, text: `The event was not sent again: ${error.message}` }),
    });

  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h4">
          Deliveries to {endpoint.url}
        </Title>
        <Group align="end">
          <Select
            label="Show"
            w={200}
            allowDeselect={false}
            data={[
              { value: "all", label: "All deliveries" },
              { value: "failed", label: "Failed" },
              { value: "pending", label: "Pending" },
              { value: "delivered", label: "Delivered" },
            ]}
            value={status ?? "all"}
            onChange={(v) => setStatus(!v || v === "all" ? null : (v as DeliveryStatus))}
          />
          <Button variant="default" onClick={() => deliveries.refetch()}>
            Refresh
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          The {RECENT_DELIVERIES} most recent, newest first.
          {endpoint.active
            ? " “Send again” sends the same event (same event id) as a new delivery."
            : " The endpoint is disabled: enable it to send an event again."}
        </Text>
        {notice ? (
          <Alert
            color={notice.ok ? "green" : "red"}
            role={notice.ok ? "status" : "alert"}
            ref={noticeRef}
            tabIndex={-1}
          >
            {notice.text}
          </Alert>
        ) : null}
        {deliveries.error ? <ErrorPanel error={deliveries.error} /> : null}
        <Table.ScrollContainer minWidth={820}>
          <Table aria-label={`Deliveries to ${endpoint.url}`} style={{ overflowWrap: "normal" }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>What happened</Table.Th>
                <Table.Th>Case</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <Code>{d.topic}</Code>
                    {d.replayOf ? (
                      <Text size="xs" c="dimmed">
                        sent again
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(d.createdAt)}</Table.Td>
                  <Table.Td miw={110}>
                    <Badge color={STATUS_COLORS[d.status]} variant="light">
                      {STATUS_LABELS[d.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td miw={260}>
                    <Text size="sm">{outcome(d)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {d.caseId ? (
                      <Anchor component={Link} to={`/cases/${d.caseId}`} size="sm">
                        Open the case
                      </Anchor>
                    ) : (
                      "—"
                    )}
                  </Table.Td>
                  <Table.Td>
                    {endpoint.active && (d.status === "delivered" || d.status === "failed") ? (
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`Send again: ${d.topic} of ${formatDateTime(d.createdAt)}`}
                        loading={replay.isPending && replay.variables?.id === d.id}
                        onClick={() => sendAgain(d)}
                      >
                        Send again
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {deliveries.data && items.length === 0 ? (
          <Text c="dimmed">
            {status ? `No ${STATUS_LABELS[status].toLowerCase()} deliveries.` : "Nothing sent yet."}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}
