// API keys for other systems: created with a role, shown once (beside the form that made it, with
// a copy button, until the admin is done with it or revokes it), revocable.

import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { formatDateTime, ROLE_LABELS } from "../../../lib/format.ts";
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from "../api/admin.ts";

export function ApiKeysAdmin() {
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [name, setName] = useState("");
  const [role, setRole] = useState("account_manager");
  const created = create.data;
  // The new key is only worth showing while it works: revoking it (or closing it) takes it away.
  const shown = created && !keys.data?.items.some((k) => k.id === created.id && k.revokedAt);
  const createError = create.error instanceof ApiError ? create.error : null;
  const newKey = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (created) newKey.current?.focus();
  }, [created]);
  return (
    <Stack>
      <Title order={1}>API keys</Title>
      {revoke.error ? (
        <Alert color="red" role="alert">
          The key was not revoked: {revoke.error.message}
        </Alert>
      ) : null}
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="API keys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Key starts</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(keys.data?.items ?? []).map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>{k.name}</Table.Td>
                <Table.Td>
                  <Code>{k.prefix}</Code>
                </Table.Td>
                <Table.Td>{ROLE_LABELS[k.role]}</Table.Td>
                <Table.Td>{formatDateTime(k.createdAt)}</Table.Td>
                <Table.Td>{formatDateTime(k.lastUsedAt)}</Table.Td>
                <Table.Td>
                  {k.revokedAt ? (
                    `Revoked ${formatDateTime(k.revokedAt)}`
                  ) : (
                    <ConfirmButton
                      size="xs"
                      variant="default"
                      color="red"
                      aria-label={`Revoke ${k.name}`}
                      title={`Revoke the API key “${k.name}”?`}
                      message="Every system that uses this key is refused from now on. A revoked key cannot be used again: a system that still needs access gets a new key."
                      confirmLabel="Revoke the key"
                      onConfirm={() => revoke.mutate(k.id)}
                    >
                      Revoke
                    </ConfirmButton>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {keys.data && keys.data.items.length === 0 ? <Text c="dimmed">No API keys yet.</Text> : null}
      <Paper withBorder p="md" maw={560}>
        <Stack>
          <Title order={2} size="h4">
            Create a key
          </Title>
          <TextInput
            label="Name"
            description="Which system uses it, e.g. Help desk"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={createError?.fieldMessage("name")}
          />
          <Select
            label="Role"
            data={Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))}
            value={role}
            allowDeselect={false}
            onChange={(v) => setRole(v ?? "account_manager")}
          />
          {create.error && !createError?.fieldMessage("name") ? (
            <Alert color="red" role="alert">
              {create.error.message}
            </Alert>
          ) : null}
          <Group>
            <Button
              loading={create.isPending}
              onClick={() => create.mutate({ name, role }, { onSuccess: () => setName("") })}
            >
              Create key
            </Button>
          </Group>
          {shown ? (
            <Alert
              color="green"
              role="status"
              title={`The key for “${created.name}”: copy it now, it is shown only once`}
              ref={newKey}
              tabIndex={-1}
            >
              <Stack gap="xs">
                <Code block>{created.key}</Code>
                <Group>
                  <CopyButton value={created.key}>
                    {({ copied, copy }) => (
                      <Button size="xs" onClick={copy} color={copied ? "teal" : undefined}>
                        {copied ? "Copied" : "Copy the key"}
                      </Button>
                    )}
                  </CopyButton>
                  <Button size="xs" variant="default" onClick={() => create.reset()}>
                    I have stored it
                  </Button>
                </Group>
              </Stack>
            </Alert>
          ) : null}
        </Stack>
      </Paper>
    </Stack>
  );
}
