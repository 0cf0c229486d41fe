// What the case has sent the customer and whether it arrived: each code, link, reminder and
// confirmation with its delivery status from GET /api/cases/:id/messages. A confirmation recorded
// on the case is only as good as its message: one that failed shows here, with why, so the AM can
// call instead (and an admin can send it again).
import { Badge, Button, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, errorMessage } from "../../../lib/api-client.ts";
import { formatDateTime, formatPhone } from "../../../lib/format.ts";

export interface CaseMessage {
  id: string;
  topic: string;
  channel: string;
  recipient: unknown;
  status: "pending" | "sending" | "sent" | "delivered" | "failed" | "skipped";
  attempts: number;
  lastError: string | null;
  skippedReason: string | null;
  createdAt: string;
  sentAt: string | null;
}

const TOPICS: Record<string, string> = {
  identity_code: "Verification code",
  form_link: "Cancellation Request Form",
  form_reminder: "Form reminder",
  offer_link: "Offer",
  offer_confirmation: "Offer confirmation",
  cancellation_confirmation: "Cancellation confirmation",
  feedback_request: "Feedback survey",
  reactivation_confirmation: "Reactivation confirmation",
};

const STATUS: Record<CaseMessage["status"], { label: string; color: string }> = {
  pending: { label: "Queued", color: "gray" },
  sending: { label: "Sending", color: "blue" },
  sent: { label: "Sent", color: "teal" },
  delivered: { label: "Delivered", color: "green" },
  failed: { label: "Failed", color: "red" },
  skipped: { label: "Not sent", color: "gray" },
};

function recipientOf(message: CaseMessage): string {
  const r = (message.recipient ?? {}) as { email?: string | null; phone?: string | null };
  const address = message.channel === "sms" ? r.phone : r.email;
  const shown = message.channel === "sms" ? formatPhone(address) : address;
  return `${message.channel === "sms" ? "Text" : "Email"}${address ? ` to ${shown}` : ""}`;
}

/** The messages to the customer (not staff notices or webhooks), newest first. */
export function CaseMessagesList({
  messages,
  onRetry,
}: {
  messages: CaseMessage[];
  /** Given to admins: queues a failed message again. */
  onRetry?: ((id: string) => void) | undefined;
}) {
  const toCustomer = messages
    .filter((m) => m.channel === "email" || m.channel === "sms")
    .filter((m) => m.topic in TOPICS)
    .reverse();
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Title order={3} size="h5">
          Messages to the customer
        </Title>
        {toCustomer.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing sent to the customer yet.
          </Text>
        ) : (
          // On a phone the table scrolls inside its card instead of running out of it.
          <Table.ScrollContainer minWidth={420}>
            <Table fz="sm" aria-label="Messages to the customer">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Message</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>When</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {toCustomer.map((m) => (
                  <Table.Tr key={m.id} data-status={m.status}>
                    <Table.Td>
                      <Text size="sm">{TOPICS[m.topic]}</Text>
                      <Text size="xs" c="dimmed">
                        {recipientOf(m)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        color={STATUS[m.status].color}
                        variant="light"
                        // The status reads in full in a narrow column ("SE…" said nothing).
                        style={{ minWidth: "max-content" }}
                      >
                        {STATUS[m.status].label}
                      </Badge>
                      {m.status === "failed" && m.lastError ? (
                        <Text size="xs" c="red.8">
                          {m.lastError}
                        </Text>
                      ) : null}
                      {m.status === "pending" && m.lastError ? (
                        <Text size="xs" c="dimmed">
                          Trying again after: {m.lastError}
                        </Text>
                      ) : null}
                      {m.status === "skipped" && m.skippedReason ? (
                        <Text size="xs" c="dimmed">
                          Not needed any more: {m.skippedReason}
                        </Text>
                      ) : null}
                      {m.status === "failed" && onRetry ? (
                        <Button
                          size="compact-xs"
                          variant="default"
                          mt={4}
                          onClick={() => onRetry(m.id)}
                        >
                          Send again
                        </Button>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{formatDateTime(m.sentAt ?? m.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}

export function CaseMessages({
  id,
  version,
  isAdmin,
}: {
  id: string;
  version: number;
  isAdmin: boolean;
}) {
  const client = useQueryClient();
  const messages = useQuery({
    queryKey: ["case-messages", id, version],
    queryFn: () =>
      api.get<{ items: CaseMessage[] }>(`/api/cases/${encodeURIComponent(id)}/messages`),
    // Delivery happens after the case changed: look again while something is on its way.
    refetchInterval: (query) =>
      query.state.data?.items.some((m) => m.status === "pending" || m.status === "sending")
        ? 10_000
        : false,
  });
  const retry = useMutation({
    mutationFn: (messageId: string) => api.post(`/api/messages/${messageId}/retry`),
    onSettled: () => client.invalidateQueries({ queryKey: ["case-messages", id] }),
  });
  if (messages.error) {
    return (
      <Text size="sm" c="red.8">
        Could not load the messages: {errorMessage(messages.error)}
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      <CaseMessagesList
        messages={messages.data?.items ?? []}
        onRetry={isAdmin ? (messageId) => retry.mutate(messageId) : undefined}
      />
      {retry.error ? (
        <Text size="sm" c="red.8" role="alert">
          Not sent again: {errorMessage(retry.error)}
        </Text>
      ) : null}
    </Stack>
  );
}
