import { Anchor, Stack, Table, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { Link } from "react-router";
import { PageButtons } from "../../../components/page-buttons.tsx";
import { formatSegment } from "../../../lib/format.ts";
import { useAccounts } from "../api/accounts.ts";

export function AccountsPage() {
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const accounts = useAccounts(q, cursors[cursors.length - 1]);
  return (
    <Stack>
      <Title order={1}>Accounts</Title>
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
