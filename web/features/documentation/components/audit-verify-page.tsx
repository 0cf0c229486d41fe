// Admins check every case's audit hash chain (GET /api/audit/verify, slice by slice, with the
// progress shown) and see each break with a link to its case.
import {
  Alert,
  Anchor,
  Button,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { Link } from "react-router";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import {
  type AuditVerification,
  type AuditVerificationProgress,
  useAuditVerification,
} from "../api/documentation.ts";

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <Stack gap={0}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value.toLocaleString("en-US")}
      </Text>
    </Stack>
  );
}

export function AuditVerifyPage() {
  const verify = useAuditVerification();
  return (
    <Stack>
      <Title order={1}>Audit chain</Title>
      <Text maw={760}>
        Every event of every case is in an append-only log whose entries are chained by hash. The
        check reads every case's chain and reports any entry that was edited, removed or reordered.
        Entries whose personal data was erased on request keep their hashes and are counted, not
        reported.
      </Text>
      <Group>
        <Button onClick={() => verify.mutate()} loading={verify.isPending}>
          Verify every case now
        </Button>
      </Group>
      {verify.isPending && verify.progress ? <CheckProgress progress={verify.progress} /> : null}
      {verify.error ? <ErrorPanel error={verify.error} /> : null}
      {verify.data ? <AuditReport report={verify.data} /> : null}
    </Stack>
  );
}

export function CheckProgress({ progress }: { progress: AuditVerificationProgress }) {
  const percent = progress.total > 0 ? (100 * progress.checked) / progress.total : 0;
  const label = `Checked ${progress.checked.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} cases`;
  return (
    <Stack gap={4}>
      <Progress value={percent} aria-label={label} animated />
      <Text size="sm" c="dimmed" role="status">
        {label}…
      </Text>
    </Stack>
  );
}

export function AuditReport({ report }: { report: AuditVerification }) {
  return (
    <Stack>
      {report.ok ? (
        <Alert color="green" title="Every chain verifies">
          Checked {formatDateTime(report.checkedAt)}.
        </Alert>
      ) : (
        <Alert color="red" title={`${report.brokenCases} broken chain(s)`}>
          Checked {formatDateTime(report.checkedAt)}. Each case below has an entry that no longer
          matches its hash.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Figure label="Cases checked" value={report.cases} />
        <Figure label="Entries checked" value={report.entries} />
        <Figure label="Entries erased" value={report.erasedEntries} />
        <Figure label="Broken chains" value={report.brokenCases} />
      </SimpleGrid>
      {report.breaks.length > 0 ? (
        <Table aria-label="Broken chains">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Case</Table.Th>
              <Table.Th>Entry</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.breaks.map((b) => (
              <Table.Tr key={b.caseId}>
                <Table.Td>
                  <Anchor component={Link} to={`/cases/${b.reference}/documentation`}>
                    {b.reference}
                  </Anchor>
                </Table.Td>
                <Table.Td>{b.seq}</Table.Td>
                <Table.Td>{b.problem}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Stack>
  );
}
