// Users and roles: create staff users, change a role or reset a password (each asks first: their
// sessions end), deactivate (their open cases handed to a successor or left with them).

import {
  Alert,
  Button,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  TextInput,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { ApiError } from "../../../lib/api-client.ts";
import { ROLE_LABELS } from "../../../lib/format.ts";
import { useDeactivateUser, useSaveUser, useUsers } from "../api/admin.ts";
import { DeactivateUserButton, DeactivationReport } from "./deactivate-user.tsx";
import { ResetPasswordButton, RoleSelect } from "./user-changes.tsx";

const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

export function UsersAdmin() {
  const users = useUsers();
  const save = useSaveUser();
  const deactivate = useDeactivateUser();
  const staff = users.data?.items ?? [];
  const [form, setForm] = useState({ name: "", email: "", role: "account_manager", password: "" });
  const error = save.error instanceof ApiError ? save.error : null;
  // The last change made on this page, said once in its status area.
  const [report, setReport] = useState<string | null>(null);
  const done = (sentence: string) => {
    deactivate.reset();
    setReport(sentence);
  };
  return (
    <Stack>
      <Title order={1}>Users and roles</Title>
      {report ? (
        <Alert color="green" role="status">
          {report}
        </Alert>
      ) : null}
      {deactivate.error ? (
        <Alert color="red" role="alert">
          {deactivate.error.message}
        </Alert>
      ) : null}
      {deactivate.data ? <DeactivationReport outcome={deactivate.data} staff={staff} /> : null}
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {staff.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  <RoleSelect user={u} staff={staff} onDone={done} />
                </Table.Td>
                <Table.Td>
                  {u.active
                    ? u.lockedUntil && new Date(u.lockedUntil) > new Date()
                      ? "Locked"
                      : "Active"
                    : "Deactivated"}
                </Table.Td>
                <Table.Td>
                  {u.active ? (
                    <Group gap="xs" wrap="nowrap">
                      <ResetPasswordButton user={u} onDone={done} />
                      <DeactivateUserButton
                        user={u}
                        staff={staff}
                        onConfirm={(successors) => {
                          setReport(null);
                          deactivate.mutate({ id: u.id, successors });
                        }}
                      />
                    </Group>
                  ) : (
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Reactivate ${u.name}`}
                      onClick={() =>
                        save.mutate(
                          { id: u.id, body: { active: true } },
                          { onSuccess: () => done(`${u.name} is active again and can sign in.`) },
                        )
                      }
                    >
                      Reactivate
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Paper withBorder p="md" maw={560}>
        <Stack>
          <Title order={2} size="h4">
            Add a user
          </Title>
          {save.error ? (
            <Alert color="red" role="alert">
              {error && error.fields.length > 0
                ? "The user was not added: check the fields marked below."
                : save.error.message}
            </Alert>
          ) : null}
          <TextInput
            label="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            error={error?.fieldMessage("name")}
          />
          <TextInput
            label="Email"
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
            error={error?.fieldMessage("email")}
          />
          <Select
            label="Role"
            data={ROLE_OPTIONS}
            value={form.role}
            allowDeselect={false}
            onChange={(role) => setForm({ ...form, role: role ?? "account_manager" })}
          />
          <PasswordInput
            label="Password"
            description="At least 12 characters"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
            error={error?.fieldMessage("password")}
          />
          <Group>
            <Button
              loading={save.isPending}
              onClick={() =>
                save.mutate(
                  { body: form },
                  {
                    onSuccess: (added) => {
                      setForm({ name: "", email: "", role: "account_manager", password: "" });
                      done(
                        `${added.name} is added as ${(ROLE_LABELS[added.role] ?? added.role).toLowerCase()}.`,
                      );
                    },
                  },
                )
              }
            >
              Add user
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
