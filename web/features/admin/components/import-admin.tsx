// Admins import accounts, contacts and subscriptions from a CSV file while the desk runs: check
// the file first if they like, import it, and fix the rows the report lists by line and column.
import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  Input,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { type DragEvent, useEffect, useId, useRef, useState } from "react";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import {
  FILE_UNREADABLE,
  type ImportKind,
  type ImportOutcome,
  type ImportReport,
  useImportCsv,
  useImportKinds,
} from "../api/imports.ts";

const KINDS: { kind: ImportKind; label: string; noun: [string, string] }[] = [
  { kind: "accounts", label: "Accounts", noun: ["account", "accounts"] },
  { kind: "contacts", label: "Contacts", noun: ["contact", "contacts"] },
  { kind: "subscriptions", label: "Subscriptions", noun: ["subscription", "subscriptions"] },
];

const HINTS: Record<ImportKind, string> = {
  accounts:
    "Staff are named by their email: the account manager and the CSM must be active users with that role.",
  contacts:
    "Name the account by its external_ref; authorised_to_cancel is true/false, yes/no or 1/0.",
  subscriptions:
    "Name the account by its external_ref and the plan by its code; dates are ISO 8601 (2026-03-01), money in cents, in the plan's currency.",
};

const count = (n: number) => n.toLocaleString("en-US");
const rows = (n: number) => `${count(n)} row${n === 1 ? "" : "s"}`;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
}

export function ImportAdmin() {
  const kinds = useImportKinds();
  const send = useImportCsv();
  const [kind, setKind] = useState<ImportKind>("accounts");
  const [file, setFile] = useState<File | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [dragging, setDragging] = useState(false);
  const fileId = useId();
  const result = useRef<HTMLElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const maxBytes = kinds.data?.maxBytes ?? 5 * 1024 * 1024;
  const columns = kinds.data?.kinds.find((k) => k.kind === kind);
  const tooLarge = file !== null && file.size > maxBytes;
  const answered = send.data ?? send.error;

  // The answer takes focus, so a screen reader reads it and a keyboard user starts from it.
  useEffect(() => {
    if (answered) result.current?.focus();
  }, [answered]);
  // A file changed after it was chosen cannot be read: it is chosen again, which the input
  // reports only when it no longer holds the same name.
  useEffect(() => {
    if (send.error instanceof ApiError && send.error.code === FILE_UNREADABLE) {
      if (input.current) input.current.value = "";
      setFile(null);
    }
  }, [send.error]);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    send.reset();
  };
  const go = (dryRun: boolean) => {
    if (file && !tooLarge) send.mutate({ kind, file, dryRun, skipInvalid });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) choose(dropped);
  };

  return (
    <Stack maw={900}>
      <Title order={1}>Import from CSV</Title>
      <Text>
        Add accounts, contacts and subscriptions from a CSV file with a header line, such as an
        export of your billing system or CRM. Import the accounts first: contacts and subscriptions
        name their account by its <Code>external_ref</Code>. A file with any row that has problems
        imports nothing, and the report lists each problem by line and column so you can fix the
        file and import it again.
      </Text>

      <Radio.Group
        label="What the file holds"
        value={kind}
        onChange={(value) => {
          setKind(value as ImportKind);
          send.reset();
        }}
      >
        <Group mt="xs">
          {KINDS.map((k) => (
            <Radio key={k.kind} value={k.kind} label={k.label} />
          ))}
        </Group>
      </Radio.Group>
      {columns ? (
        <Text size="sm">
          Columns, in any order: <Code>{columns.required.join(", ")}</Code>; optional:{" "}
          <Code>{columns.optional.join(", ")}</Code>. {HINTS[kind]}
        </Text>
      ) : null}

      <Paper
        withBorder
        p="md"
        onDragOver={(event: DragEvent) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        style={{
          borderStyle: "dashed",
          borderWidth: 2,
          borderColor: dragging ? "var(--mantine-color-blue-6)" : undefined,
        }}
      >
        <Input.Wrapper
          id={fileId}
          label="CSV file"
          description={`Choose a file or drop it here; at most ${size(maxBytes)} (larger files: canceldesk import on the command line).`}
          error={
            tooLarge
              ? `This file is ${size(file.size)}: the desk takes at most ${size(maxBytes)} at a time. Split it, or use canceldesk import.`
              : undefined
          }
        >
          <input
            ref={input}
            id={fileId}
            type="file"
            aria-describedby={`${fileId}-description${tooLarge ? ` ${fileId}-error` : ""}`}
            aria-invalid={tooLarge}
            accept=".csv,text/csv"
            style={{ display: "block", marginTop: 8 }}
            onChange={(event) => choose(event.currentTarget.files?.[0] ?? null)}
          />
        </Input.Wrapper>
        {file ? (
          <Text size="sm" mt="xs">
            Chosen: {file.name} ({size(file.size)})
          </Text>
        ) : null}
      </Paper>

      <Checkbox
        label="Skip the rows with problems and import the others"
        description="Otherwise a file with any problem imports nothing."
        checked={skipInvalid}
        onChange={(event) => {
          setSkipInvalid(event.currentTarget.checked);
          send.reset();
        }}
      />

      <Group>
        <Button
          variant="default"
          disabled={!file || tooLarge}
          loading={send.isPending && send.variables?.dryRun === true}
          onClick={() => go(true)}
        >
          Check the file
        </Button>
        <Button
          disabled={!file || tooLarge || (send.isPending && send.variables?.dryRun === true)}
          loading={send.isPending && send.variables?.dryRun === false}
          onClick={() => go(false)}
        >
          Import
        </Button>
      </Group>

      <section ref={result} tabIndex={-1} aria-label="Import result" style={{ outline: "none" }}>
        {send.error ? <ErrorPanel error={send.error} title="The file was not imported" /> : null}
        {send.data ? <ImportResult outcome={send.data} /> : null}
      </section>
    </Stack>
  );
}

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <Stack gap={0}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {count(value)}
      </Text>
    </Stack>
  );
}

function headline(report: ImportReport): string {
  const [one, many] = KINDS.find((k) => k.kind === report.kind)!.noun;
  const noun = (n: number) => `${count(n)} ${n === 1 ? one : many}`;
  const skipped =
    report.invalidRows > 0 ? `; ${rows(report.invalidRows)} with problems skipped` : "";
  if (report.dryRun)
    return `The file is ready: ${count(report.valid)} of ${rows(report.total)} would be imported${skipped}. Nothing was changed.`;
  return `Imported ${noun(report.imported)} of ${rows(report.total)}${skipped}.`;
}

/** Why a file was refused, in the page's words: the server's sentence speaks of its API. */
function refusalText(report: ImportReport, refusal: string): string {
  if (report.invalidRows === 0) return refusal;
  const have = `${count(report.invalidRows)} of ${rows(report.total)} ${report.invalidRows === 1 ? "has" : "have"} problems`;
  return (
    `${have}. Fix them in the file and check it again, or choose “Skip the rows with problems” ` +
    `to import the other ${rows(report.valid)}.`
  );
}

export function ImportResult({ outcome }: { outcome: ImportOutcome }) {
  const { report, refusal } = outcome;
  const wouldImport = report.refused ? 0 : report.valid;
  return (
    <Stack>
      {refusal ? (
        <Alert
          color="red"
          title={
            report.dryRun
              ? "The file has problems: importing it would import nothing"
              : "Nothing was imported"
          }
          role="alert"
        >
          {refusalText(report, refusal)}
        </Alert>
      ) : (
        <Alert color="green" title={report.dryRun ? "Check passed" : "Imported"} role="status">
          {headline(report)}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Figure label="Rows read" value={report.total} />
        <Figure label="Valid rows" value={report.valid} />
        <Figure label="Rows with problems" value={report.invalidRows} />
        {report.dryRun ? (
          <Figure label="Would be imported" value={wouldImport} />
        ) : (
          <Figure label="Imported" value={report.imported} />
        )}
      </SimpleGrid>
      {report.problems.length > 0 ? (
        <>
          {report.problemCount > report.problems.length ? (
            <Text size="sm">
              The first {count(report.problems.length)} of {count(report.problemCount)} problems are
              listed: fix them and check the file again for the rest.
            </Text>
          ) : null}
          <Table aria-label="Problems to fix in the file" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Line</Table.Th>
                <Table.Th>Column</Table.Th>
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.problems.map((p, i) => (
                // A line may have several problems, and a column several on one line.
                // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed once answered
                <Table.Tr key={i}>
                  <Table.Td>{p.line}</Table.Td>
                  <Table.Td>
                    <Code>{p.field}</Code>
                  </Table.Td>
                  <Table.Td>{p.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      ) : null}
    </Stack>
  );
}
