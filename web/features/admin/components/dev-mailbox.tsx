// The dev mailbox: on the embedded default with no SMTP server or SMS provider configured, the
// messages CancelDesk would have sent are kept here instead of being lost.
import { Accordion, Alert, Badge, Group, Stack, Text, Title } from "@mantine/core";
import { formatDateTime } from "../../../lib/format.ts";
import { useDevMailbox } from "../api/admin.ts";

export function DevMailbox() {
  const mail = useDevMailbox();
  const items = mail.data?.items ?? [];
  return (
    <Stack>
      <Title order={1}>Dev mailbox</Title>
      <Text>
        No SMTP server or SMS provider is configured, so outgoing email and SMS are kept here. Set
        SMTP_URL (and SMS_PROVIDER_URL) to send them for real.
      </Text>
      {mail.error ? (
        <Alert color="red" role="alert">
          {mail.error.message}
        </Alert>
      ) : null}
      {items.length === 0 && !mail.isLoading ? <Text>No messages yet.</Text> : null}
      <Accordion>
        {items.map((m) => (
          <Accordion.Item key={m.id} value={m.id}>
            <Accordion.Control>
              <Group gap="sm">
                <Badge variant="light">{m.channel}</Badge>
                <Text fw={600}>{m.subject ?? "(SMS)"}</Text>
                <Text c="dark.4">
                  to {m.recipient}, {formatDateTime(m.createdAt)}
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Text component="pre" style={{ whiteSpace: "pre-wrap" }}>
                {m.text}
              </Text>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}
