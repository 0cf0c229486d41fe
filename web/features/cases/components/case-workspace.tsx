// The case workspace: where the case stands on the seven steps, the current step's guidance and
// script, the actions the engine allows now, and the case's CSM, form, confirmation, feedback,
// notes and timeline. Every command carries the version the user saw; a stale one is reloaded.
import {
  Alert,
  Anchor,
  Badge,
  Blockquote,
  Button,
  Grid,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { savedOffer } from "../../../../src/domain/case.ts";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import {
  channelWords,
  formatDate,
  formatDateTime,
  formatPhone,
  humanize,
  localTimesIn,
  STATE_COLORS,
  timesWords,
} from "../../../lib/format.ts";
import type { Case, CaseView, PolicyDefinition, ScriptPart, UserJson } from "../../../lib/types.ts";
import { useAccount, useContact, useStaff, useSubscription } from "../../accounts/api/accounts.ts";
import { useCase, useCaseCommand, useOfferOptions, usePolicyVersion } from "../api/cases.ts";
import { CaseActions, ReassignForm, WithdrawButton } from "./case-actions.tsx";
import { CaseMessages } from "./case-messages.tsx";
import { CaseNotes, CaseTimeline } from "./case-timeline.tsx";
import { CommandProblem, type RunCommand } from "./command-form.tsx";
import { type FailedAttempt, failedAttempt, failedAttemptMessage } from "./identity-attempts.ts";
import { ProgressRail } from "./progress-rail.tsx";

export function CaseWorkspace({ user }: { user: UserJson }) {
  const { id = "" } = useParams();
  const query = useCase(id);
  if (query.isPending) return <Loader role="status" aria-label="Loading the case" />;
  if (query.error && !query.data)
    return <ErrorPanel error={query.error} title="Could not open the case" />;
  return (
    <Workspace
      view={query.data}
      id={id}
      user={user}
      reload={async () => (await query.refetch()).data}
    />
  );
}

function Workspace({
  view,
  id,
  user,
  reload,
}: {
  view: CaseView;
  id: string;
  user: UserJson;
  reload: () => Promise<CaseView | undefined>;
}) {
  const c = view.case;
  const command = useCaseCommand(id);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [changed, setChanged] = useState(false);
  // Set when the last failed identity attempt the policy allows closed the case.
  const [unverified, setUnverified] = useState<FailedAttempt | null>(null);
  const policy = usePolicyVersion(c.policyVersion);
  const subscription = useSubscription(c.subscriptionId);
  const requester = useContact(c.requesterContactId);
  const account = useAccount(c.accountId);
  const staff = useStaff();
  const has = (kind: string) => view.nextActions.allowed.some((a) => a.kind === kind);
  const canPresent = has("presentOffer");
  // The offers the user may present, which are also those a CSM may record as the save.
  const offers = useOfferOptions(id, c.version, canPresent || has("recordCsmOutcome"));
  const names = new Map((staff.data?.items ?? []).map((u) => [u.id, u.name]));
  // A command that takes its own form or dialog away (the step moved on) would leave focus on
  // the page's body, and a keyboard or screen reader user back at the top: it goes to the
  // actions' heading instead, just above what the case now offers.
  const actionsHeading = useRef<HTMLHeadingElement>(null);
  const focusAfter = useRef<number | null>(null);
  useEffect(() => {
    if (focusAfter.current === null || focusAfter.current === c.version) return;
    focusAfter.current = null;
    // Lost: on the body, or in the dialog that asked, closing now that it is answered.
    const active = document.activeElement;
    if (!active || active === document.body || active.closest('[role="dialog"]'))
      actionsHeading.current?.focus();
  }, [c.version]);

  // A stale screen is reloaded with a notice here, and after a refusal; errors go back to the
  // form that asked (CommandForm shows them next to its fields) or, for the small buttons, in
  // the alert below.
  const run: RunCommand = async (path, body, options) => {
    setError(null);
    setChanged(false);
    // Set before the answer renders; a failure keeps the user's focus where it is.
    focusAfter.current = c.version;
    try {
      const answer = await command.mutateAsync({
        path,
        body: body ?? {},
        expectedVersion: c.version,
      });
      // A wrong code or a failed security check is an attempt the engine records (200): for the
      // user it is not done, and the form keeps what was typed.
      const failed = failedAttempt(
        path,
        c,
        answer.case,
        policy.data?.definition.identity.attemptLimit,
      );
      if (failed) focusAfter.current = null;
      if (failed?.closed) {
        setUnverified(failed);
        return { ok: false, error: null };
      }
      if (failed) {
        const message = failedAttemptMessage(failed);
        const field = failed.method === "code" ? "code" : undefined;
        return { ok: false, error: new CommandProblem("Not verified", message, field) };
      }
      notifications.show({
        color: "green",
        message: "Saved to the case.",
        closeButtonProps: { "aria-label": "Dismiss" },
      });
      return { ok: true };
    } catch (e) {
      focusAfter.current = null;
      if (e instanceof ApiError && e.code === "CASE_CHANGED") {
        await reload();
        setChanged(true);
        return { ok: false, error: null };
      }
      const failure = e instanceof Error ? e : new Error(String(e));
      // A refusal at the same version means time moved the case on (an offer or a link ran
      // out): the screen is brought up to date so it stops offering what was just refused.
      if (e instanceof ApiError && e.status === 409) {
        const fresh = await reload();
        // The refusal shows in one place: in the form that asked while the case still offers
        // its action, else (the reload took the form or dialog away) on the page, so it never
        // vanishes unexplained.
        const stillOpen =
          options?.showErrorInline &&
          options.action !== undefined &&
          fresh?.nextActions.allowed.some((a) => a.kind === options.action);
        if (!stillOpen) setError(failure);
        return { ok: false, error: failure };
      }
      if (!options?.showErrorInline) setError(failure);
      return { ok: false, error: failure };
    }
  };
  const current = view.checklist.find((s) => s.status === "current" || s.status === "blocked");
  // The CSM's turn on a case escalated to them: the hand-over and their own forms come first,
  // the step's guidance (mostly the AM's words to the customer) after them.
  const csmFirst =
    c.state === "escalated" &&
    c.escalation?.csmId === user.id &&
    (has("csmEngage") || has("recordCsmOutcome"));
  const guidance = current ? (
    <Paper withBorder p="md" bg="gray.0">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Step {current.number}: {current.title}
        </Title>
        <Text size="sm" fs="italic" style={{ whiteSpace: "pre-line" }}>
          {current.policyText}
        </Text>
        <Text size="sm">{current.guidance}</Text>
        <Blockquote cite="Suggested script" p="sm" color="indigo">
          <Text size="sm" data-testid="suggested-script">
            <ScriptLine parts={current.scriptParts ?? [{ text: current.script }]} names={names} />
          </Text>
        </Blockquote>
        {policy.data ? (
          <Text size="xs" c="dimmed">
            Remember: {policy.data.definition.note}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  ) : null;

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>Case {c.reference}</Title>
          <Group gap="xs">
            <Badge color={STATE_COLORS[c.state] ?? "gray"} variant="light">
              {humanize(c.state)}
            </Badge>
            <Badge variant="outline" color="gray">
              Form: {humanize(c.formStatus)}
            </Badge>
            {c.outcome ? <Badge color="dark">Outcome: {humanize(c.outcome)}</Badge> : null}
            <Text size="sm" c="dimmed">
              Policy version {c.policyVersion}
            </Text>
          </Group>
        </Stack>
        <Group gap="xs">
          <Button component={Link} to={`/cases/${c.reference}/documentation`} variant="default">
            Documentation
          </Button>
          {has("withdraw") ? <WithdrawButton run={run} /> : null}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
        <Info label="Account">
          <Anchor component={Link} to={`/accounts/${c.accountId}`}>
            {account.data?.name ?? "Account"}
          </Anchor>
        </Info>
        <Info label="Requester">
          {requester.data ? (
            <>
              {requester.data.name} ({humanize(requester.data.role)}, prefers{" "}
              {channelWords(requester.data.preferredChannel)})
              {requester.data.phone ? (
                <>
                  <br />
                  <Anchor href={`tel:${requester.data.phone}`} size="sm">
                    {formatPhone(requester.data.phone)}
                  </Anchor>
                </>
              ) : null}
            </>
          ) : (
            "—"
          )}
        </Info>
        <Info label="Account manager">
          {c.assignedAmId ? (names.get(c.assignedAmId) ?? "—") : "Unassigned"}
        </Info>
        <Info label="CSM">{c.assignedCsmId ? (names.get(c.assignedCsmId) ?? "—") : "—"}</Info>
      </SimpleGrid>

      {unverified ? (
        <Alert color="red" title="Closed as unverified" role="alert" data-testid="unverified">
          {unverified.method === "code"
            ? "That code is not right either"
            : "The security check did not pass"}
          , and that was the last of the {unverified.attempts} attempts the policy allows: the
          requester's identity could not be verified, so the case is now closed as unverified.
          Nothing more can be done on it; if the customer still wants to cancel, open a new case.
        </Alert>
      ) : null}
      {changed ? (
        <Alert
          color="yellow"
          title="This case changed"
          role="alert"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setChanged(false)}
        >
          Someone else changed this case while you were working on it. It has been reloaded with
          their change: check it and try again if it is still needed.
        </Alert>
      ) : null}
      {error ? (
        <Alert
          color="red"
          title={error instanceof ApiError ? `Not done (${error.code})` : "Not done"}
          role="alert"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setError(null)}
          data-testid="command-error"
        >
          {localTimesIn(error.message)}
        </Alert>
      ) : null}

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Title order={2} size="h4" mb="xs">
            The policy's seven steps
          </Title>
          <ProgressRail checklist={view.checklist} names={names} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            {csmFirst ? (
              <CsmPanel
                view={view}
                policy={policy.data?.definition}
                names={names}
                heading="Escalated to you: the hand-over"
              />
            ) : (
              guidance
            )}
            {/* Takes focus after a command (never with Tab): where reading goes on, no ring. */}
            <Title
              order={2}
              size="h4"
              ref={actionsHeading}
              tabIndex={-1}
              style={{ outline: "none" }}
            >
              What you can do now
            </Title>
            {/* The actions wait for the case's policy: its reasons, offers and attempt limit
                (the last identity attempt is confirmed first) shape the forms. */}
            {policy.isPending ? (
              <Loader size="sm" role="status" aria-label="Loading the actions" />
            ) : (
              <CaseActions
                view={view}
                policy={policy.data?.definition}
                offerOptions={offers.error ? [] : offers.data?.items}
                subscription={subscription.data}
                requester={requester.data}
                staff={staff.data?.items ?? []}
                run={run}
                csmFirst={csmFirst}
              />
            )}
            {csmFirst ? guidance : null}
            <CasePanels
              csmShown={csmFirst}
              view={view}
              policy={policy.data?.definition}
              names={names}
              run={run}
              canResend={has("resendForm")}
            />
            {view.nextActions.allowed.some((a) => a.kind === "reassign") ? (
              <Paper withBorder p="sm">
                <Title order={3} size="h5" mb="xs">
                  Reassign
                </Title>
                <ReassignForm view={view} staff={staff.data?.items ?? []} run={run} />
              </Paper>
            ) : null}
            <CaseNotes view={view} names={names} run={run} canAdd={has("addNote")} />
            <CaseMessages id={c.id} version={c.version} isAdmin={user.role === "admin"} />
            <CaseTimeline id={id} version={c.version} names={names} />
          </Stack>
        </Grid.Col>
      </Grid>
      <Text size="xs" c="dimmed">
        Signed in as {user.name}. Opened {formatDateTime(c.openedAt)}.
      </Text>
    </Stack>
  );
}

/**
 * A step's script as the engine filled it in: the CSM by name and a date in the reader's own
 * time zone; a placeholder the case cannot answer yet stays as the policy wrote it.
 */
function ScriptLine({ parts, names }: { parts: ScriptPart[]; names: Map<string, string> }) {
  return (
    <>
      {parts.map((part, index) => {
        const key = `${index}`;
        if ("date" in part)
          return (
            <time key={key} dateTime={part.date}>
              {formatDate(part.date)}
            </time>
          );
        if ("userId" in part)
          return <span key={key}>{names.get(part.userId) ?? part.placeholder}</span>;
        return <span key={key}>{part.text}</span>;
      })}
    </>
  );
}

/** A person's notes in their own words, or that there were none. */
function Note({ label, text, testId }: { label: string; text: string | null; testId: string }) {
  return (
    <Text size="sm" data-testid={testId} style={{ whiteSpace: "pre-line" }}>
      <Text span size="sm" fw={600}>
        {label}:
      </Text>{" "}
      {text?.trim() ? `“${text.trim()}”` : "none written."}
    </Text>
  );
}

function Info({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="xs">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Paper>
  );
}

/** The CSM's outcome in words: a save by its offer's label, with a custom offer's terms. */
function csmOutcomeText(c: Case, policy: PolicyDefinition | undefined): string {
  if (c.escalation?.outcome !== "retained") return "proceed with the cancellation";
  const saved = savedOffer(c);
  const code = c.escalation.retainedOfferCode;
  const label = policy?.offers.find((o) => o.code === code)?.label ?? saved?.label ?? "an offer";
  return `retained with ${label}${saved?.customTerms ? `, on these terms: “${saved.customTerms}”` : ""}`;
}

/** Who escalated and when, the AM's hand-over notes, the engagement and the outcome. */
function CsmPanel({
  view,
  policy,
  names,
  heading,
}: {
  view: CaseView;
  policy: PolicyDefinition | undefined;
  names: Map<string, string>;
  heading: string;
}) {
  const c = view.case;
  const e = c.escalation;
  return (
    <Paper withBorder p="sm">
      <Title order={3} size="h5">
        {heading}
      </Title>
      {e ? (
        <Stack gap={2}>
          <Text size="sm">
            Escalated to {names.get(e.csmId) ?? e.csmId} at {formatDateTime(e.escalatedAt)}
            {e.escalatedBy.kind === "staff"
              ? ` by ${names.get(e.escalatedBy.userId) ?? "a staff member"}`
              : ""}
            .
          </Text>
          <Note label="Hand-over notes" text={e.notes} testId="handover-notes" />
          <Text size="sm">Engagement due by {formatDateTime(e.slaDueAt)}.</Text>
          <Text size="sm">
            {e.engagedAt
              ? `Engaged at ${formatDateTime(e.engagedAt)}${e.engagedBy ? ` by ${names.get(e.engagedBy) ?? "the CSM"}` : ""}.`
              : "Not engaged yet."}
          </Text>
          {e.engagedAt ? (
            <Note label="Engagement notes" text={e.engagementNotes} testId="engagement-notes" />
          ) : null}
          {e.outcome ? (
            <Text size="sm" data-testid="csm-outcome" style={{ whiteSpace: "pre-line" }}>
              Outcome: {csmOutcomeText(c, policy)} — {e.outcomeNotes}
            </Text>
          ) : (
            <Text size="sm">No outcome yet.</Text>
          )}
        </Stack>
      ) : (
        <Text size="sm">Not escalated yet.</Text>
      )}
    </Paper>
  );
}

/** Form status with resend, the CSM panel, confirmation and feedback status. */
function CasePanels({
  view,
  policy,
  names,
  run,
  canResend,
  csmShown,
}: {
  view: CaseView;
  policy: PolicyDefinition | undefined;
  /** The CSM panel is already at the top of the page (the CSM's turn). */
  csmShown: boolean;
  names: Map<string, string>;
  run: RunCommand;
  canResend: boolean;
}) {
  const c = view.case;
  // The policy's words for a reason, as the steps' evidence gives it, never its code.
  const reasonLabel = (code: string) =>
    policy?.reasons.find((r) => r.code === code)?.label ?? humanize(code);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <Paper withBorder p="sm">
        <Title order={3} size="h5">
          Cancellation Request Form
        </Title>
        <Text size="sm">Status: {humanize(c.formStatus)}</Text>
        {c.form ? (
          <Text size="sm">
            Sent {timesWords(c.form.sendCount)} by {channelWords(c.form.deliveryChannel)}; link
            expires {formatDateTime(c.form.expiresAt)}
            {c.form.linkExpiredAt ? " (expired)" : ""}.
          </Text>
        ) : null}
        {c.form?.submission ? (
          <Text size="sm">
            Reason: {reasonLabel(c.form.submission.reasonCode)};{" "}
            {c.form.submission.requestedEffective === "immediately"
              ? "immediately"
              : "at the end of the term"}
            ; confirm by {channelWords(c.form.submission.preferredConfirmationChannel)}. “
            {c.form.submission.details}”
          </Text>
        ) : null}
        {canResend ? (
          <Anchor component="button" type="button" size="sm" onClick={() => run("form/resend")}>
            Resend the form (the previous link stops working)
          </Anchor>
        ) : null}
      </Paper>
      {csmShown ? null : <CsmPanel view={view} policy={policy} names={names} heading="CSM" />}
      <Paper withBorder p="sm">
        <Title order={3} size="h5">
          Processing and confirmation
        </Title>
        {c.processing ? (
          <Text size="sm">
            Processed {formatDateTime(c.processing.processedAt)}:{" "}
            {c.processing.mode === "immediately" ? "immediately" : "at the end of the term"},
            effective {formatDateTime(c.processing.effectiveAt)}.
          </Text>
        ) : (
          <Text size="sm">Not processed.</Text>
        )}
        <Text size="sm">
          {c.confirmation
            ? `Confirmed by ${channelWords(c.confirmation.channel)} at ${formatDateTime(c.confirmation.recordedAt)}.`
            : "No confirmation yet."}
        </Text>
      </Paper>
      <Paper withBorder p="sm">
        <Title order={3} size="h5">
          Feedback
        </Title>
        {c.feedback ? (
          <Stack gap={2}>
            <Text size="sm">
              Requested {formatDateTime(c.feedback.requestedAt)}; expires{" "}
              {formatDateTime(c.feedback.expiresAt)}.
            </Text>
            {c.feedback.submission ? (
              <Text size="sm">
                Rated {c.feedback.submission.rating}/5; decided because of{" "}
                {reasonLabel(c.feedback.submission.decisionReason)}.
                {c.feedback.submission.comments ? ` “${c.feedback.submission.comments}”` : ""}
              </Text>
            ) : (
              <Text size="sm">
                {c.feedback.expiredAt ? "Expired unanswered." : "Waiting for the customer."}
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="sm">Not requested yet.</Text>
        )}
      </Paper>
    </SimpleGrid>
  );
}
