// A case's documentation as one printable page: the request, the seven steps with who did what,
// when and how, offers, CSM outcome, processing, confirmation, feedback, notes and the audit trail
// with its hashes. Print uses app/print.css; Markdown and JSON come from the same API.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  List,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { Link, useParams } from "react-router";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { formatDateTime, formatMoney, humanize, localTimesIn } from "../../../lib/format.ts";
import { EvidenceLine } from "../../cases/components/progress-rail.tsx";
import {
  type CaseDocumentation,
  documentationUrl,
  useCaseDocumentation,
} from "../api/documentation.ts";

/** Staff are named in the documentation's own evidence parts already. */
const NO_NAMES: ReadonlyMap<string, string> = new Map();

const STEP_COLORS: Record<string, string> = {
  done: "green",
  current: "blue",
  blocked: "orange",
  pending: "gray",
  skipped: "gray",
};

function Facts({ rows }: { rows: [string, string | null | undefined][] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={2} maw={760}>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={220} scope="row">
              {label}
            </Table.Th>
            <Table.Td>{value || "—"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function CaseDocumentationPage() {
  const { id = "" } = useParams();
  const doc = useCaseDocumentation(id);
  if (doc.isPending) return <Loader role="status" aria-label="Loading the documentation" />;
  if (doc.error && !doc.data) return <ErrorPanel error={doc.error} />;
  return <CaseDocumentationView d={doc.data} />;
}

export function CaseDocumentationView({ d }: { d: CaseDocumentation }) {
  const r = d.request.requester;
  return (
    <article className="case-documentation" style={{ maxWidth: 1000 }}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={1}>Case {d.reference}: documentation</Title>
            <Text size="sm">
              {d.account.name} · outcome {d.outcome ? humanize(d.outcome) : "open"} (
              {humanize(d.state)}) · policy version {d.policyVersion} · generated{" "}
              {formatDateTime(d.generatedAt)}
            </Text>
          </Stack>
          <Group className="no-print" gap="xs">
            <Button variant="default" onClick={() => window.print()}>
              Print
            </Button>
            <Button
              component="a"
              variant="default"
              href={documentationUrl(d.caseId, "markdown")}
              download
            >
              Markdown
            </Button>
            <Button
              component="a"
              variant="default"
              href={documentationUrl(d.caseId, "json")}
              download={`${d.reference}-documentation.json`}
            >
              JSON
            </Button>
          </Group>
        </Group>
        <Anchor className="no-print" component={Link} to={`/cases/${d.reference}`}>
          Back to the case
        </Anchor>

        <section>
          <Title order={2} size="h3">
            Request
          </Title>
          <Facts
            rows={[
              ["Account", d.account.name],
              ["Channel", humanize(d.request.channel)],
              ["Received", formatDateTime(d.request.openedAt)],
              ["Logged by", d.request.openedBy],
              ["Noted at opening", d.request.summary],
              ["Requester", r ? `${r.name} (${humanize(r.role)})` : null],
              ["Email", r?.email],
              ["Phone", r?.phone],
              [
                "Subscription",
                d.subscription
                  ? `${d.subscription.planName ?? ""} · ${formatMoney(d.subscription.monthlyValueMinor, d.subscription.currency)} a month · ${humanize(d.subscription.status)}`
                  : null,
              ],
            ]}
          />
        </section>

        <section>
          <Title order={2} size="h3">
            The seven steps
          </Title>
          <Stack gap="sm">
            {d.steps.map((step) => (
              <section key={step.key} className="documentation-step">
                <Title order={3} size="h5">
                  {step.number}. {step.title}{" "}
                  <Badge color={STEP_COLORS[step.status] ?? "gray"} variant="light">
                    {humanize(step.status)}
                  </Badge>
                </Title>
                {step.evidence.length > 0 ? (
                  <List size="sm">
                    {(step.evidenceParts ?? step.evidence.map((text) => [{ text }])).map(
                      (parts, index) => (
                        <List.Item key={step.evidence[index] ?? index}>
                          <EvidenceLine parts={parts} names={NO_NAMES} />
                        </List.Item>
                      ),
                    )}
                  </List>
                ) : null}
                {step.records.length > 0 ? (
                  <Table aria-label={`Step ${step.number} records`} fz="sm">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>What</Table.Th>
                        <Table.Th>Who</Table.Th>
                        <Table.Th>When</Table.Th>
                        <Table.Th>How</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {step.records.map((x) => (
                        <Table.Tr key={`${x.what}-${x.at}`}>
                          <Table.Td>{localTimesIn(x.what)}</Table.Td>
                          <Table.Td>{x.by}</Table.Td>
                          <Table.Td>{formatDateTime(x.at)}</Table.Td>
                          <Table.Td>{x.how ? humanize(x.how) : "—"}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                ) : null}
              </section>
            ))}
          </Stack>
        </section>

        <section>
          <Title order={2} size="h3">
            Reason and offers
          </Title>
          <Facts
            rows={[
              ["Reason", d.reason.label ?? d.reason.code],
              ["Details on the form", d.reason.formDetails],
              [
                "No suitable offer",
                d.noSuitableOffer
                  ? `${d.noSuitableOffer.reason} (${d.noSuitableOffer.recordedBy}, ${formatDateTime(d.noSuitableOffer.recordedAt)})`
                  : null,
              ],
            ]}
          />
          {d.offers.length > 0 ? (
            <Table aria-label="Offers" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Offer</Table.Th>
                  <Table.Th>Presented</Table.Th>
                  <Table.Th>Answer</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.offers.map((o) => (
                  <Table.Tr key={`${o.offerCode}-${o.presentedAt}`}>
                    <Table.Td>{o.label}</Table.Td>
                    <Table.Td>
                      {formatDateTime(o.presentedAt)} by {o.presentedBy}
                    </Table.Td>
                    <Table.Td>
                      {humanize(o.answer)}
                      {o.answeredAt ? ` ${formatDateTime(o.answeredAt)} by ${o.answeredBy}` : ""}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm">No offer was presented.</Text>
          )}
        </section>

        <section>
          <Title order={2} size="h3">
            CSM outcome, processing and confirmation
          </Title>
          <Facts
            rows={[
              [
                "CSM",
                d.csm
                  ? `${d.csm.csm}, escalated ${formatDateTime(d.csm.escalatedAt)}`
                  : "Not escalated",
              ],
              ["Hand-over notes", d.csm?.handoverNotes],
              ["Engagement due", d.csm ? formatDateTime(d.csm.slaDueAt) : null],
              ["Engagement notes", d.csm?.engagementNotes],
              [
                "CSM outcome",
                d.csm?.outcome
                  ? `${humanize(d.csm.outcome)} by ${d.csm.decidedBy}, ${formatDateTime(d.csm.decidedAt)}`
                  : null,
              ],
              ["CSM notes", d.csm?.notes],
              [
                "Processing",
                d.processing
                  ? `${humanize(d.processing.mode)}, effective ${formatDateTime(d.processing.effectiveAt)} (by ${d.processing.processedBy}, ${formatDateTime(d.processing.processedAt)})`
                  : null,
              ],
              [
                "Confirmation",
                d.confirmation
                  ? `${d.confirmation.callOutcome === "left_voicemail" ? "Voicemail left (phone)" : d.confirmation.callOutcome === "reached" ? "Phone, spoke with the customer" : humanize(d.confirmation.channel)} by ${d.confirmation.recordedBy}, ${formatDateTime(d.confirmation.recordedAt)}`
                  : null,
              ],
              [
                "Feedback",
                d.feedback?.submittedAt
                  ? `Rated ${d.feedback.rating}/5, because of ${humanize(d.feedback.decisionReason)}: ${d.feedback.comments || "no comment"}`
                  : d.feedback
                    ? d.feedback.expiredAt
                      ? "Expired unanswered"
                      : "Requested, no answer yet"
                    : null,
              ],
              [
                "Withdrawal",
                d.withdrawal
                  ? `${d.withdrawal.withdrawnBy}, ${formatDateTime(d.withdrawal.withdrawnAt)}${d.withdrawal.reason ? `: ${d.withdrawal.reason}` : ""}`
                  : null,
              ],
              [
                "Closed",
                d.closing.closedAt
                  ? `${formatDateTime(d.closing.closedAt)} by ${d.closing.writtenBy}`
                  : null,
              ],
              ["Closing summary", d.closing.summary],
            ]}
          />
        </section>

        <section>
          <Title order={2} size="h3">
            Notes
          </Title>
          {d.notes.length === 0 ? <Text size="sm">No notes.</Text> : null}
          <List type="ordered" size="sm">
            {d.notes.map((n) => (
              <List.Item key={n.number}>
                {formatDateTime(n.writtenAt)}, {n.writtenBy}: {n.text}
              </List.Item>
            ))}
          </List>
        </section>

        <section>
          <Title order={2} size="h3">
            Audit trail
          </Title>
          {d.audit.verified ? (
            <Alert color="green" title="The hash chain verifies">
              {d.audit.entries.length} entries, each linked to the previous entry's hash.
              {d.audit.erasedEntries.length > 0
                ? ` ${d.audit.erasedEntries.length} had personal data erased on request; their hashes still hold.`
                : ""}
            </Alert>
          ) : (
            <Alert color="red" title="The hash chain is broken">
              Entry {d.audit.break?.seq}: {d.audit.break?.problem}.
            </Alert>
          )}
          <Table.ScrollContainer minWidth={800}>
            <Table aria-label="Audit entries" fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>At</Table.Th>
                  <Table.Th>By</Table.Th>
                  <Table.Th>Previous hash / hash</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.audit.entries.map((e) => (
                  <Table.Tr key={e.seq}>
                    <Table.Td>{e.seq}</Table.Td>
                    <Table.Td>
                      {humanize(e.type)}
                      {e.erased ? " (erased)" : ""}
                    </Table.Td>
                    <Table.Td>{formatDateTime(e.at)}</Table.Td>
                    <Table.Td>{e.by}</Table.Td>
                    <Table.Td>
                      <Code className="hash">{e.prevHash}</Code>
                      <br />
                      <Code className="hash">{e.hash}</Code>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </section>
      </Stack>
    </article>
  );
}
