// The accounts, by name, with search; account managers and admins create one here.
import { Anchor, Group, Stack, Table, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { PageButtons } from "../../../components/page-buttons.tsx";
import { formatSegment } from "../../../lib/format.ts";
import { useSession } from "../../auth/api/session.ts";
import { mayEditCustomers, useAccounts } from "../api/accounts.ts";
import { AccountFormButton } from "./account-form.tsx";

export function AccountsPage() {
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const accounts = useAccounts(q, cursors[cursors.length - 1]);
  const navigate = useNavigate();
  const role = useSession().data?.user.role;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Accounts</Title>
        {mayEditCustomers(role) ? (
          <AccountFormButton onSaved={(created) => navigate(`/accounts/${created.id}`)} />
        ) : null}
      </Group>
      <TextInput
        label="Search accounts"
        value={search}
        onChange={(e) => {
          setCursors([]);
          setSearch(e.currentTarget.value);
        }}
      />
      {/* Scrolls sideways on a phone rather than widening the page. */}
      <Table.ScrollContainer minWidth={480}>
        <Table striped aria-label="Accounts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Account</Table.Th>
              <Table.Th>Reference</Table.Th>
              <Table.Th>Segment</Table.Th>
              <Table.Th>Country</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(accounts.data?.items ?? []).map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/accounts/${a.id}`}>
                    {a.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{a.externalRef ?? "—"}</Table.Td>
                <Table.Td>{formatSegment(a.segment)}</Table.Td>
                <Table.Td>{a.country ?? "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <PageButtons cursors={cursors} onChange={setCursors} nextCursor={accounts.data?.nextCursor} />
    </Stack>
  );
}
