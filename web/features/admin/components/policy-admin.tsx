// The policy settings as the current version defines them (offer catalog, reasons, SLAs,
// identity), its versions, and publishing a new version: a simple form for the numbers, or the
// whole definition as JSON. The server validates; open cases keep the version they started under.

import {
  Alert,
  Badge,
  Button,
  Group,
  JsonInput,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useEffect, useState } from "react";
import { DEFAULT_MAX_CODES_SENT } from "../../../../src/domain/policy-definition.ts";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { formatDateTime, formatMoney, humanize, ROLE_LABELS } from "../../../lib/format.ts";
import type { PolicyDefinition } from "../../../lib/types.ts";
import { useCurrentPolicy, usePolicyVersions, usePublishPolicy } from "../api/admin.ts";

type NumberKey<T> = { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T];

/** The fields the form has an input for, by the path the server names them with. */
const FIELD_LABELS: Record<string, string> = {
  "definition.slas.csmEngagementDueHours": "CSM engagement due (hours)",
  "definition.slas.csmEngagementAtRiskHours": "At risk when under (hours)",
  "definition.slas.formLinkExpiryHours": "Form link expiry (hours)",
  "definition.slas.offerAnswerExpiryHours": "Offer answer expiry (hours)",
  "definition.slas.feedbackExpiryDays": "Feedback expiry (days)",
  "definition.identity.attemptLimit": "Verification attempt limit",
  "definition.identity.maxCodesSent": "Codes a case may send",
  "definition.identity.codeLifetimeMinutes": "Code lifetime (minutes)",
};

/** A field as the admin knows it: the form's label, else its place in the JSON (without "definition."). */
function fieldName(path: string): string {
  return FIELD_LABELS[path] ?? path.replace(/^definition\./, "");
}

export function PolicyAdmin() {
  const current = useCurrentPolicy();
  const versions = usePolicyVersions();
  const publish = usePublishPolicy();
  const [draft, setDraft] = useState("");
  // The version the draft was copied from: publishing over a newer one is refused.
  const [basedOn, setBasedOn] = useState<number | null>(null);
  const [notes, setNotes] = useState("");
  useEffect(() => {
    if (current.data && draft === "") {
      setDraft(JSON.stringify(current.data.definition, null, 2));
      setBasedOn(current.data.version);
    }
  }, [current.data, draft]);
  const p = current.data?.definition;
  let parsed: PolicyDefinition | null = null;
  try {
    parsed = draft ? (JSON.parse(draft) as PolicyDefinition) : null;
  } catch {
    parsed = null;
  }
  const update = (change: (d: PolicyDefinition) => void) => {
    if (!parsed) return;
    change(parsed);
    setDraft(JSON.stringify(parsed, null, 2));
  };
  const error = publish.error instanceof ApiError ? publish.error : null;
  // A cleared number stays empty (null in the JSON), so publishing names it; it never becomes 0.
  const numberOf = (v: string | number) => (v === "" ? (null as unknown as number) : Number(v));
  const slaField = (key: NumberKey<PolicyDefinition["slas"]>) => (
    <NumberInput
      label={FIELD_LABELS[`definition.slas.${key}`]}
      min={0}
      value={parsed?.slas[key] ?? ""}
      error={error?.fieldMessage(`definition.slas.${key}`)}
      onChange={(v) =>
        update((d) => {
          d.slas[key] = numberOf(v);
        })
      }
    />
  );
  const idField = (key: NumberKey<PolicyDefinition["identity"]>) => (
    <NumberInput
      label={FIELD_LABELS[`definition.identity.${key}`]}
      min={1}
      value={parsed?.identity[key] ?? ""}
      error={error?.fieldMessage(`definition.identity.${key}`)}
      onChange={(v) =>
        update((d) => {
          d.identity[key] = numberOf(v);
        })
      }
    />
  );

  return (
    <Stack>
      <Title order={1}>Policy settings</Title>
      {p ? (
        <Text size="sm">
          Current: version {current.data?.version}, “{p.name}”, published{" "}
          {formatDateTime(current.data?.publishedAt)}.
        </Text>
      ) : null}
      <Tabs defaultValue="offers" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="offers">Offer catalog</Tabs.Tab>
          <Tabs.Tab value="reasons">Reasons</Tabs.Tab>
          <Tabs.Tab value="slas">SLA and identity</Tabs.Tab>
          <Tabs.Tab value="versions">Versions</Tabs.Tab>
          <Tabs.Tab value="publish">Publish a new version</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="offers" pt="md">
          <Table.ScrollContainer minWidth={800}>
            <Table aria-label="Offer catalog">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Offer</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Plans</Table.Th>
                  <Table.Th>Monthly value</Table.Th>
                  <Table.Th>Reasons</Table.Th>
                  <Table.Th>Presented by</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(p?.offers ?? []).map((o) => (
                  <Table.Tr key={o.code}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {o.label}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {o.description}
                      </Text>
                    </Table.Td>
                    <Table.Td>{humanize(o.kind)}</Table.Td>
                    <Table.Td>{o.eligibility.planCodes?.join(", ") ?? "Any"}</Table.Td>
                    <Table.Td>
                      {o.eligibility.minMonthlyValueMinor !== null
                        ? `from ${formatMoney(o.eligibility.minMonthlyValueMinor, p?.currency)}`
                        : "Any"}
                      {o.eligibility.maxMonthlyValueMinor !== null
                        ? ` to ${formatMoney(o.eligibility.maxMonthlyValueMinor, p?.currency)}`
                        : ""}
                    </Table.Td>
                    <Table.Td>
                      {o.eligibility.reasonCodes
                        ?.map((code) => p?.reasons.find((r) => r.code === code)?.label ?? code)
                        .join(", ") ?? "Any"}
                    </Table.Td>
                    <Table.Td>
                      {o.presentableBy.map((role) => ROLE_LABELS[role] ?? role).join(", ")}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Tabs.Panel>
        <Tabs.Panel value="reasons" pt="md">
          <Table aria-label="Cancellation reasons">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Code</Table.Th>
                <Table.Th>Label</Table.Th>
                <Table.Th>Details required</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(p?.reasons ?? []).map((r) => (
                <Table.Tr key={r.code}>
                  <Table.Td>{r.code}</Table.Td>
                  <Table.Td>{r.label}</Table.Td>
                  <Table.Td>{r.requiresDetails ? "Yes" : "No"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Tabs.Panel>
        <Tabs.Panel value="slas" pt="md">
          {p ? (
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Paper withBorder p="sm">
                <Title order={2} size="h5">
                  SLAs
                </Title>
                <Text size="sm">
                  CSM must engage within {p.slas.csmEngagementDueHours} h (at risk under{" "}
                  {p.slas.csmEngagementAtRiskHours} h left).
                </Text>
                <Text size="sm">
                  Form link expires after {p.slas.formLinkExpiryHours} h; reminder after{" "}
                  {p.slas.formReminderHours} h.
                </Text>
                <Text size="sm">
                  Offers may be answered for {p.slas.offerAnswerExpiryHours} h; feedback for{" "}
                  {p.slas.feedbackExpiryDays} days.
                </Text>
                <Text size="sm">
                  CSM step time box (click-to-cancel): {p.slas.csmStepTimeBox ? "on" : "off"}.
                </Text>
              </Paper>
              <Paper withBorder p="sm">
                <Title order={2} size="h5">
                  Identity verification
                </Title>
                <Text size="sm">
                  Codes of {p.identity.codeLength} digits, valid {p.identity.codeLifetimeMinutes}{" "}
                  minutes.
                </Text>
                <Text size="sm">
                  Closes unverified after {p.identity.attemptLimit} failed attempts.
                </Text>
                <Text size="sm">Methods: {p.identity.methods.map(humanize).join(", ")}.</Text>
              </Paper>
            </SimpleGrid>
          ) : null}
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          <Table aria-label="Policy versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Published</Table.Th>
                <Table.Th>Notes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(versions.data?.items ?? []).map((v) => (
                <Table.Tr key={v.version}>
                  <Table.Td>
                    {v.version}{" "}
                    {v.version === current.data?.version ? <Badge size="sm">current</Badge> : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(v.publishedAt)}</Table.Td>
                  <Table.Td>{v.notes ?? "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Tabs.Panel>
        <Tabs.Panel value="publish" pt="md">
          <Stack>
            <Text size="sm">
              Change the numbers below or edit the whole definition as JSON, then publish. New cases
              start under the new version; open cases keep theirs.
            </Text>
            {parsed ? (
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                {slaField("csmEngagementDueHours")}
                {slaField("csmEngagementAtRiskHours")}
                {slaField("formLinkExpiryHours")}
                {slaField("offerAnswerExpiryHours")}
                {slaField("feedbackExpiryDays")}
                {idField("attemptLimit")}
                <NumberInput
                  label={FIELD_LABELS["definition.identity.maxCodesSent"]}
                  min={1}
                  max={20}
                  value={parsed.identity.maxCodesSent ?? DEFAULT_MAX_CODES_SENT}
                  error={error?.fieldMessage("definition.identity.maxCodesSent")}
                  onChange={(v) =>
                    update((d) => {
                      d.identity.maxCodesSent = numberOf(v);
                    })
                  }
                />
                {idField("codeLifetimeMinutes")}
                <Switch
                  label="Time-box the CSM step (click-to-cancel)"
                  checked={parsed.slas.csmStepTimeBox}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    update((d) => {
                      d.slas.csmStepTimeBox = on;
                    });
                  }}
                />
              </SimpleGrid>
            ) : (
              <Alert color="yellow">The JSON below is not valid; fix it to use the form.</Alert>
            )}
            <JsonInput
              label="Policy definition (JSON)"
              autosize
              minRows={12}
              maxRows={30}
              value={draft}
              onChange={setDraft}
              validationError="Not valid JSON"
              formatOnBlur
            />
            <TextInput
              label="What changed (shown in the versions list)"
              value={notes}
              onChange={(e) => setNotes(e.currentTarget.value)}
            />
            {publish.error ? (
              <Alert color="red" role="alert" title="Not published">
                {error?.fields.length ? (
                  <>
                    {error.fields.some((f) => FIELD_LABELS[f.field])
                      ? "Fix what is marked above"
                      : "Fix these in the definition"}
                    :
                    <ul>
                      {error.fields.map((f) => (
                        <li key={f.field}>
                          {fieldName(f.field)}: {f.message}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : (
                  publish.error.message
                )}
                {error?.code === "POLICY_CHANGED" ? (
                  <Button
                    mt="sm"
                    variant="default"
                    onClick={async () => {
                      await current.refetch();
                      await versions.refetch();
                      publish.reset();
                      setDraft("");
                    }}
                  >
                    Load the current version
                  </Button>
                ) : null}
              </Alert>
            ) : null}
            {publish.data ? (
              <Alert color="green">Version {publish.data.version} is published.</Alert>
            ) : null}
            <Group>
              <ConfirmButton
                disabled={!parsed}
                loading={publish.isPending}
                title="Publish a new policy version?"
                message="New cases follow it from the moment it is published; cases already open keep the version they started under. A published version cannot be changed or withdrawn: a correction is another new version."
                confirmLabel="Publish"
                onConfirm={() =>
                  parsed &&
                  publish.mutate(
                    {
                      definition: parsed as unknown as Record<string, unknown>,
                      notes: notes || null,
                      basedOnVersion: basedOn,
                    },
                    {
                      // The published version is the new starting point (the cached current
                      // policy is still the old one until it reloads).
                      onSuccess: (published) => {
                        setDraft(JSON.stringify(published.definition, null, 2));
                        setBasedOn(published.version);
                      },
                    },
                  )
                }
              >
                Publish new version
              </ConfirmButton>
            </Group>
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
