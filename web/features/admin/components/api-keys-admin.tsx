// API keys for other systems: created with a role, shown once, revocable.

import {
  Alert,
  Button,
  Code,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { formatDateTime, ROLE_LABELS } from "../../../lib/format.ts";
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from "../api/admin.ts";

export function ApiKeysAdmin() {
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [name, setName] = useState("");
  const [role, setRole] = useState("account_manager");
  return (
    <Stack>
      <Title order={1}>API keys</Title>
      {create.data ? (
        <Alert color="green" title="Copy the key now: it is shown only once">
          <Code block>{create.data.key}</Code>
        </Alert>
      ) : null}
      {create.error ? (
        <Alert color="red" role="alert">
          {create.error.message}
        </Alert>
      ) : null}
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
          />
          <Select
            label="Role"
            data={Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))}
            value={role}
            allowDeselect={false}
            onChange={(v) => setRole(v ?? "account_manager")}
          />
          <Group>
            <Button
              loading={create.isPending}
              onClick={() => create.mutate({ name, role }, { onSuccess: () => setName("") })}
            >
              Create key
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
