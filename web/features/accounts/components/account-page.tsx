// An account: its contacts (who may cancel, preferred channel), subscriptions, and every case
// with the documentation record written when it closed. Account managers and admins edit the
// account and its contacts here; admins add and change subscriptions.
import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Group,
  List,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { Link, useParams } from "react-router";
import { type Actor, isApiKey } from "../../../../src/domain/actor.ts";
import { describeOfferAnswer, savedOffer } from "../../../../src/domain/case.ts";
import { IDENTITY_METHOD_WORDS } from "../../../../src/domain/checklist.ts";
import { describeConfirmation } from "../../../../src/domain/documentation.ts";
import { ConfirmButton } from "../../../components/confirm-button.tsx";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { api } from "../../../lib/api-client.ts";
import {
  formatDate,
  formatDateInWords,
  formatDateTime,
  formatMoney,
  formatPhone,
  formatSegment,
  humanize,
  localTimesIn,
  STATE_COLORS,
} from "../../../lib/format.ts";
import type { Case, Page, PlanJson, QueueItem, SubscriptionJson } from "../../../lib/types.ts";
import { useSession } from "../../auth/api/session.ts";
import { usePolicyVersion } from "../../cases/api/cases.ts";
import { ContactDataActions } from "../../documentation/components/contact-data-actions.tsx";
import {
  mayEditCustomers,
  mayEditSubscriptions,
  useAccount,
  useContacts,
  usePlans,
  useReactivateSubscription,
  useStaff,
  useSubscriptions,
} from "../api/accounts.ts";
import { AccountFormButton } from "./account-form.tsx";
import { CHANNEL_LABELS, CONTACT_ROLE_LABELS, ContactFormButton } from "./contact-form.tsx";
import { SubscriptionFormButton } from "./subscription-form.tsx";

export function AccountPage() {
  const { id } = useParams();
  const account = useAccount(id);
  const contacts = useContacts(id);
  const subscriptions = useSubscriptions(id);
  const plans = usePlans();
  const staff = useStaff();
  const cases = useQuery({
    queryKey: ["cases", "account", id],
    queryFn: () =>
      api.get<Page<QueueItem>>("/api/cases", { queue: "all", accountId: id, limit: 100 }),
    enabled: !!id,
  });
  const names = new Map((staff.data?.items ?? []).map((u) => [u.id, u.name]));
  const role = useSession().data?.user.role;
  const isAdmin = role === "admin";
  const editsCustomers = mayEditCustomers(role);
  const editsSubscriptions = mayEditSubscriptions(role);
  // What the last save did, said once on the page.
  const [report, setReport] = useState<string | null>(null);
  // An AM whose customer changes their mind before the term ends undoes the cancellation here.
  const reactivate = useReactivateSubscription();
  if (account.error && !account.data) return <ErrorPanel error={account.error} />;
  const a = account.data;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Title order={1}>{a?.name ?? "Account"}</Title>
        {a && editsCustomers ? (
          <AccountFormButton
            account={a}
            onSaved={(saved) => setReport(`${saved.name} is saved.`)}
          />
        ) : null}
      </Group>
      {report ? (
        <Alert color="green" role="status" withCloseButton onClose={() => setReport(null)}>
          {report}
        </Alert>
      ) : null}
      {reactivate.error ? (
        <Alert color="red" role="alert">
          The subscription was not reactivated: {reactivate.error.message}
        </Alert>
      ) : null}
      {a ? (
        <Text size="sm">
          {a.externalRef ?? ""} · {formatSegment(a.segment)} · {a.country ?? ""}
          {a.timeZone ? ` (${a.timeZone})` : ""} · AM{" "}
          {a.accountManagerId ? names.get(a.accountManagerId) : "—"} · CSM{" "}
          {a.csmId ? names.get(a.csmId) : "—"}
        </Text>
      ) : null}
      <Group justify="space-between">
        <Title order={2} size="h3">
          Contacts
        </Title>
        {id && editsCustomers ? (
          <ContactFormButton
            accountId={id}
            onSaved={(saved) => setReport(`${saved.name} is added to the contacts.`)}
          />
        ) : null}
      </Group>
      <Table.ScrollContainer minWidth={600}>
        <Table aria-label="Contacts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>May cancel</Table.Th>
              <Table.Th>Prefers</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Phone</Table.Th>
              {editsCustomers ? (
                <Table.Th>
                  <VisuallyHidden>Change</VisuallyHidden>
                </Table.Th>
              ) : null}
              {isAdmin ? <Table.Th>Personal data</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(contacts.data?.items ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{CONTACT_ROLE_LABELS[c.role] ?? humanize(c.role)}</Table.Td>
                <Table.Td>{c.authorisedToCancel ? "Yes" : "No"}</Table.Td>
                <Table.Td>
                  {CHANNEL_LABELS[c.preferredChannel] ?? humanize(c.preferredChannel)}
                </Table.Td>
                <Table.Td>{c.email ?? "—"}</Table.Td>
                <Table.Td>
                  {c.phone ? (
                    <Anchor href={`tel:${c.phone}`} style={{ whiteSpace: "nowrap" }}>
                      {formatPhone(c.phone)}
                    </Anchor>
                  ) : (
                    "—"
                  )}
                </Table.Td>
                {editsCustomers && id ? (
                  <Table.Td>
                    <ContactFormButton
                      accountId={id}
                      contact={c}
                      onSaved={(saved) => setReport(`${saved.name} is saved.`)}
                    />
                  </Table.Td>
                ) : null}
                {isAdmin ? (
                  <Table.Td>
                    <ContactDataActions contact={c} />
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Title order={2} size="h3">
          Subscriptions
        </Title>
        {id && editsSubscriptions ? (
          <SubscriptionFormButton
            accountId={id}
            plans={plans.data?.items ?? []}
            onSaved={() => setReport("The subscription is added.")}
          />
        ) : null}
      </Group>
      <SubscriptionsTable
        subscriptions={subscriptions.data?.items ?? []}
        plans={plans.data?.items ?? []}
        actions={
          id && editsCustomers
            ? (s) => (
                <Group gap="xs" wrap="nowrap">
                  {s.status === "cancellation_scheduled" ? (
                    <ConfirmButton
                      size="xs"
                      variant="default"
                      aria-label={`Reactivate ${s.externalRef ?? "the subscription"}`}
                      title="Undo the scheduled cancellation?"
                      message={`The subscription carries on as before${s.cancelAt ? ` instead of ending on ${formatDateInWords(s.cancelAt)}` : ""}. The case that scheduled the cancellation records the reactivation, and the customer gets a confirmation.`}
                      confirmLabel="Reactivate"
                      onConfirm={() =>
                        reactivate.mutate(s.id, {
                          onSuccess: () =>
                            setReport(
                              "The subscription is reactivated: the scheduled cancellation is withdrawn and the customer is told.",
                            ),
                        })
                      }
                    >
                      Reactivate
                    </ConfirmButton>
                  ) : null}
                  {editsSubscriptions ? (
                    <SubscriptionFormButton
                      accountId={id}
                      subscription={s}
                      plans={plans.data?.items ?? []}
                      onSaved={() => setReport("The subscription is saved.")}
                    />
                  ) : null}
                </Group>
              )
            : undefined
        }
      />
      <Title order={2} size="h3">
        Cases
      </Title>
      {cases.data && cases.data.items.length === 0 ? (
        <Text c="dimmed">No cancellation cases.</Text>
      ) : null}
      <Accordion variant="separated" multiple>
        {(cases.data?.items ?? []).map(({ case: c }) => (
          <Accordion.Item key={c.id} value={c.id}>
            <Accordion.Control>
              <Text component="span" fw={600}>
                {c.reference}
              </Text>{" "}
              <Badge color={STATE_COLORS[c.state] ?? "gray"} variant="light">
                {humanize(c.state)}
              </Badge>{" "}
              {c.outcome ? <Badge color="dark">{humanize(c.outcome)}</Badge> : null}{" "}
              <Text component="span" size="sm" c="dimmed">
                opened {formatDateTime(c.openedAt)}
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              <Group gap="md">
                <Anchor component={Link} to={`/cases/${c.reference}`}>
                  Open the case
                </Anchor>
                <Anchor component={Link} to={`/cases/${c.reference}/documentation`}>
                  Documentation (print, Markdown, JSON)
                </Anchor>
              </Group>
              <DocumentationRecord c={c} names={names} />
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}

/**
 * A subscription's standing in words, with what billing applied and until when: a save's
 * discount or pause would otherwise be invisible beside the list value, and a second discount
 * could be offered blindly.
 */
export function describeSubscriptionStanding(s: SubscriptionJson): string[] {
  const status =
    s.status === "paused" && s.pausedUntil
      ? `Paused until ${formatDateInWords(s.pausedUntil)}`
      : s.status === "cancellation_scheduled" && s.cancelAt
        ? `Cancellation scheduled for ${formatDateInWords(s.cancelAt)}`
        : humanize(s.status);
  const d = s.discount;
  return d
    ? [
        status,
        `${d.percent}% off until ${formatDateInWords(d.endsAt)}: ${formatMoney(d.monthlyValueMinor, s.currency)} a month`,
      ]
    : [status];
}

export function SubscriptionsTable({
  subscriptions,
  plans,
  actions,
}: {
  subscriptions: SubscriptionJson[];
  plans: PlanJson[];
  /** A cell of buttons per subscription, for those who may change it. */
  actions?: (s: SubscriptionJson) => ReactNode;
}) {
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table aria-label="Subscriptions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Reference</Table.Th>
            <Table.Th>Plan</Table.Th>
            <Table.Th>Seats</Table.Th>
            <Table.Th>Monthly value</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Period ends</Table.Th>
            <Table.Th>Cancels at</Table.Th>
            {actions ? (
              <Table.Th>
                <VisuallyHidden>Change</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {subscriptions.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>{s.externalRef ?? s.id.slice(0, 8)}</Table.Td>
              <Table.Td>{plans.find((p) => p.id === s.planId)?.name ?? "—"}</Table.Td>
              <Table.Td>{s.seats}</Table.Td>
              <Table.Td>{formatMoney(s.monthlyValueMinor, s.currency)}</Table.Td>
              <Table.Td>
                {describeSubscriptionStanding(s).map((line) => (
                  <Text key={line} size="sm">
                    {line}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>{formatDate(s.currentPeriodEnd)}</Table.Td>
              <Table.Td>{formatDate(s.cancelAt)}</Table.Td>
              {actions ? <Table.Td>{actions(s)}</Table.Td> : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Who did something, as the account page names people. */
function actorName(actor: Actor | null | undefined, names: Map<string, string>): string {
  if (!actor) return "someone";
  if (actor.kind === "customer") return "the customer";
  if (actor.kind === "system") return "CancelDesk";
  if (isApiKey(actor)) return "an integration";
  return names.get(actor.userId) ?? "a former staff member";
}

/** The record the case wrote when it closed: what happened at each step, and who did it. */
export function DocumentationRecord({ c, names }: { c: Case; names: Map<string, string> }) {
  const policy = usePolicyVersion(c.policyVersion);
  const d = c.documentation;
  if (!d)
    return (
      <Text size="sm" c="dimmed" mt="xs">
        The documentation record is written when the case closes.
      </Text>
    );
  const person = (userId: string | null | undefined) =>
    userId ? (names.get(userId) ?? "a former staff member") : "someone";
  const e = d.escalation;
  // The policy's words, as the case page gives them (the version the case followed).
  const reasonLabel = (code: string) =>
    policy.data?.definition.reasons.find((r) => r.code === code)?.label ?? humanize(code);
  const savedLabel = e?.retainedOfferCode
    ? (savedOffer(c)?.label ??
      policy.data?.definition.offers.find((o) => o.code === e.retainedOfferCode)?.label ??
      e.retainedOfferCode)
    : null;
  return (
    <Paper withBorder p="sm" mt="xs" data-testid={`documentation-${c.reference}`}>
      <Title order={3} size="h5">
        Documentation record
      </Title>
      <List size="sm" spacing={2}>
        <List.Item>
          Outcome: {humanize(d.outcome)}, closed {formatDateTime(d.closedAt)} by{" "}
          {actorName(d.writtenBy, names)}
        </List.Item>
        <List.Item>
          {d.requester.verifiedAt
            ? `Identity verified by ${d.requester.identityMethod ? IDENTITY_METHOD_WORDS[d.requester.identityMethod] : "someone"} at ${formatDateTime(d.requester.verifiedAt)}, recorded by ${actorName(d.requester.verifiedBy, names)}`
            : `Identity not verified (${d.requester.failedAttempts} failed attempt${d.requester.failedAttempts === 1 ? "" : "s"})`}
        </List.Item>
        {d.reason.code ? (
          <List.Item>
            Reason: {d.reason.label ?? humanize(d.reason.code)}
            {d.reason.formDetails ? ` — “${d.reason.formDetails}”` : ""}
          </List.Item>
        ) : null}
        {d.offers.map((o) => (
          <List.Item key={`${o.offerCode}-${o.presentedAt}`}>
            Offer {o.label} (presented by {actorName(o.presentedBy, names)}):{" "}
            {describeOfferAnswer(o, d.closedAt)}
            {o.answeredBy ? ` by ${actorName(o.answeredBy, names)}` : ""}
          </List.Item>
        ))}
        {d.noSuitableOffer ? (
          <List.Item>No suitable offer: {d.noSuitableOffer.reason}</List.Item>
        ) : null}
        {e ? (
          <List.Item>
            Escalated to CSM {person(e.csmId)}
            {e.outcome
              ? `; CSM outcome: ${e.outcome === "proceed" ? "proceed with the cancellation" : `retained${savedLabel ? ` with ${savedLabel}` : ""}`} by ${person(e.decidedBy)}${e.outcomeNotes ? ` — ${e.outcomeNotes}` : ""}`
              : "; no CSM outcome"}
          </List.Item>
        ) : null}
        {d.processing ? (
          <List.Item>
            Processed{" "}
            {d.processing.mode === "immediately" ? "immediately" : "at the end of the term"},
            effective {formatDateTime(d.processing.effectiveAt)}, by{" "}
            {actorName(d.processing.processedBy, names)}
          </List.Item>
        ) : null}
        {d.confirmation ? (
          <List.Item>
            {describeConfirmation(d.confirmation)} at {formatDateTime(d.confirmation.recordedAt)},
            by {actorName(d.confirmation.recordedBy, names)}
          </List.Item>
        ) : null}
        {d.feedback?.submission ? (
          <List.Item>
            Feedback: {d.feedback.submission.rating}/5,{" "}
            {reasonLabel(d.feedback.submission.decisionReason)}
            {d.feedback.submission.comments ? ` — “${d.feedback.submission.comments}”` : ""}
          </List.Item>
        ) : d.feedback?.expiredAt ? (
          <List.Item>
            Feedback requested; the request expired unanswered on{" "}
            {formatDateTime(d.feedback.expiredAt)}
          </List.Item>
        ) : null}
        {d.withdrawal ? (
          <List.Item>
            Withdrawn {formatDateTime(d.withdrawal.withdrawnAt)}, recorded by{" "}
            {actorName(d.withdrawal.withdrawnBy, names)}
            {d.withdrawal.reason ? `: “${d.withdrawal.reason}”` : ""}
          </List.Item>
        ) : null}
        {d.summary ? <List.Item>Summary: {d.summary}</List.Item> : null}
      </List>
      <Title order={4} size="h6" mt="xs">
        Who did what and when
      </Title>
      <List size="xs" spacing={0} aria-label={`Trail of ${c.reference}`}>
        {d.trail.map((entry, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the trail is fixed once written
          <List.Item key={i}>
            {formatDateTime(entry.at)}: {actorName(entry.by, names)}: {localTimesIn(entry.what)}
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}
