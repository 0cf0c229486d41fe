// The actions open to the signed-in user on this case, exactly those in nextActions.allowed,
// each as a CommandForm saying what it needs; the step's blocked commands with the engine's
// reason; and the later steps' commands with what each needs first. Nothing here decides what
// is allowed.
import {
  Alert,
  Button,
  Collapse,
  Group,
  List,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { type ReactElement, type ReactNode, useId, useState } from "react";
import { processingModeAt } from "../../../../src/domain/case.ts";
import { discountReplacedBy } from "../../../../src/domain/offers.ts";
import { ApiError } from "../../../lib/api-client.ts";
import {
  channelWords,
  formatDate,
  formatMoney,
  humanize,
  localTimesIn,
} from "../../../lib/format.ts";
import type {
  ActionOption,
  CaseView,
  ContactJson,
  OfferOption,
  PolicyDefinition,
  SubscriptionJson,
  UserJson,
} from "../../../lib/types.ts";
import { CommandForm, type Confirmation, type RunCommand, type Values } from "./command-form.tsx";
import { attemptsLeft } from "./identity-attempts.ts";
import { describeReplacedDiscount, OfferPicker } from "./offer-picker.tsx";

export type { RunCommand };

type ActionKind = ActionOption["kind"];

const ACTION_LABELS: Record<string, string> = {
  startIdentityVerification: "Send verification code",
  confirmIdentityCode: "Confirm the code",
  verifyBySecurityCheck: "Security check",
  sendForm: "Send the Cancellation Request Form",
  resendForm: "Resend the form",
  recordReasonConversation: "Record the reason conversation",
  presentOffer: "Present an offer",
  answerOffer: "Record the customer's answer",
  recordNoSuitableOffer: "No suitable offer",
  escalateToCsm: "Escalate to CSM",
  csmEngage: "Start the CSM engagement",
  recordCsmOutcome: "Record the CSM outcome",
  processCancellation: "Process cancellation",
  recordConfirmation: "Confirm the cancellation",
  requestFeedback: "Send the feedback survey",
  closeCase: "Close the case",
  withdraw: "Withdraw",
  addNote: "Add a note",
  reassign: "Reassign",
};

export function actionLabel(kind: string): string {
  return ACTION_LABELS[kind] ?? humanize(kind);
}

function ActionCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Title order={4} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

/**
 * Runs a command from a button. `inline`: the problem is kept here to show where the user is
 * (in a dialog, which would hide the page's alert behind it) instead of at the top of the page.
 */
function useBusy(run: RunCommand, options: { inline?: boolean; action?: ActionKind } = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const go = async (path: string, body?: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await run(
        path,
        body,
        options.inline ? { showErrorInline: true, action: options.action } : {},
      );
      if (!outcome.ok) setError(outcome.error);
      return outcome.ok;
    } finally {
      setBusy(false);
    }
  };
  return { busy, go, error };
}

/** A command's problem inside a dialog: the field's or the rule's sentence. */
function DialogProblem({ error }: { error: Error | null }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fields : [];
  return (
    <Alert color="red" role="alert">
      {fields.length > 0
        ? fields.map((f) => `${f.field}: ${f.message}`).join(" ")
        : localTimesIn(error.message)}
    </Alert>
  );
}

export interface CaseActionsProps {
  view: CaseView;
  policy: PolicyDefinition | undefined;
  /** Undefined while they load. */
  offerOptions: OfferOption[] | undefined;
  subscription: SubscriptionJson | undefined;
  requester: ContactJson | undefined;
  staff: UserJson[];
  run: RunCommand;
  /**
   * The CSM's own turn on a case escalated to them: their engagement, the answers to open offers
   * and the outcome come first, and step 3's work (the reason, presenting an offer, "no suitable
   * offer"), which the engine still allows them, is folded away below.
   */
  csmFirst?: boolean;
}

/** The cards of the CSM's own work, and of step 3's (by their keys below). */
const CSM_CARDS = new Set(["engage", "outcome"]);
const STEP_3_CARDS = new Set(["reason", "offers", "no-offer"]);

export function CaseActions(props: CaseActionsProps) {
  const { view, run, policy } = props;
  const allowed = view.nextActions.allowed;
  const has = (kind: ActionOption["kind"]) => allowed.some((a) => a.kind === kind);
  const c = view.case;
  const cards: ReactElement[] = [];
  // Before the last identity attempt the policy allows: a failure closes the case.
  const lastAttempt = attemptsLeft(c, policy?.identity.attemptLimit) === 1;
  const lastAttemptConfirmation = (what: string, confirmLabel: string): Confirmation => ({
    title: "Last verification attempt",
    message: `This is the last attempt the policy allows. If ${what}, the case closes as unverified and nothing more can be done on it.`,
    confirmLabel,
  });

  if (has("startIdentityVerification"))
    cards.push(
      <CommandForm
        key="send-code"
        action="startIdentityVerification"
        title="Send verification code"
        submitLabel="Send verification code"
        path="identity/send-code"
        run={run}
        help="Sends a one-time code to the requester's contact details on file. They can read it back to you, or enter it themselves with the case reference on the page the message links to."
      />,
    );
  if (has("confirmIdentityCode"))
    cards.push(
      <CommandForm
        key="confirm"
        action="confirmIdentityCode"
        title="Confirm the code"
        submitLabel="Confirm code"
        path="identity/confirm-code"
        run={run}
        confirm={() =>
          lastAttempt ? lastAttemptConfirmation("this code is wrong", "Confirm this code") : null
        }
        fields={[
          {
            name: "code",
            label: "Code the customer reads back",
            kind: "text",
            required: true,
            inputMode: "numeric",
            autoComplete: "one-time-code",
          },
        ]}
      />,
    );
  if (has("verifyBySecurityCheck"))
    cards.push(
      <CommandForm
        key="security"
        action="verifyBySecurityCheck"
        title="Security check"
        submitLabel="Record security check"
        path="identity/security-check"
        run={run}
        confirm={(v) =>
          lastAttempt && v.passed === "failed"
            ? lastAttemptConfirmation("you record it as failed", "Record as failed")
            : null
        }
        help="Check account facts only the real contact would know. Record which facts, never the answers."
        fields={[
          { name: "factsChecked", label: "Facts checked", kind: "text", required: true },
          {
            name: "passed",
            label: "Result",
            kind: "radio",
            initial: "passed",
            keep: true,
            options: [
              { value: "passed", label: "Passed" },
              { value: "failed", label: "Failed" },
            ],
          },
        ]}
        toBody={(v) => ({ factsChecked: v.factsChecked, passed: v.passed === "passed" })}
      />,
    );
  if (has("sendForm"))
    cards.push(
      <CommandForm
        key="send-form"
        action="sendForm"
        title="Send the Cancellation Request Form"
        submitLabel="Send the Cancellation Request Form"
        path="form/send"
        run={run}
        help={`Sends a single-use, expiring link to the form on the customer's preferred channel (${props.requester ? channelWords(props.requester.preferredChannel) : "on file"}).`}
      />,
    );
  if (has("recordReasonConversation"))
    cards.push(
      <CommandForm
        key="reason"
        action="recordReasonConversation"
        title="Record the reason conversation"
        submitLabel="Record reason"
        path="reason"
        run={run}
        help="Listen first; record why the customer wants to cancel, in their words."
        fields={[
          {
            name: "reasonCode",
            label: "Reason",
            kind: "select",
            required: true,
            keep: true,
            options: (policy?.reasons ?? []).map((r) => ({ value: r.code, label: r.label })),
          },
          { name: "notes", label: "What the customer said", kind: "textarea", required: true },
        ]}
      />,
    );
  if (allowed.some((a) => a.kind === "presentOffer"))
    cards.push(<PresentOffer key="offers" options={props.offerOptions} run={run} />);
  for (const a of allowed.filter((x) => x.kind === "answerOffer")) {
    const offer = c.offers.find((o) => o.offerCode === a.offerCode && o.answer === "pending");
    cards.push(
      <AnswerOffer
        key={`answer-${a.offerCode}`}
        code={a.offerCode!}
        label={
          policy?.offers.find((o) => o.code === a.offerCode)?.label ?? offer?.label ?? a.offerCode!
        }
        terms={offer?.customTerms ?? null}
        answers={a.answers ?? ["accepted", "declined"]}
        run={run}
      />,
    );
  }
  if (has("recordNoSuitableOffer"))
    cards.push(
      <CommandForm
        key="no-offer"
        action="recordNoSuitableOffer"
        title="No suitable offer"
        submitLabel="Record no suitable offer"
        path="no-suitable-offer"
        run={run}
        help="If nothing in the catalog answers the customer's concern, say so honestly and write down why."
        fields={[{ name: "reason", label: "Why no offer suits", kind: "textarea", required: true }]}
      />,
    );
  if (has("escalateToCsm"))
    cards.push(
      <CommandForm
        key="escalate"
        action="escalateToCsm"
        title="Escalate to CSM"
        submitLabel="Escalate to CSM"
        path="escalate"
        run={run}
        help="Hand the case to a Customer Success Manager with the reason and the offers already discussed."
        fields={[
          {
            name: "csmId",
            label: "CSM",
            kind: "select",
            description: "Leave empty for the case's or the account's CSM",
            clearable: true,
            keep: true,
            // Not the case's AM: the CSM is a second person (the engine refuses the AM).
            options: props.staff
              .filter((u) => u.role === "csm" && u.active && u.id !== c.assignedAmId)
              .map((u) => ({ value: u.id, label: u.name })),
          },
          { name: "notes", label: "Hand-over notes", kind: "textarea" },
        ]}
        toBody={(v) => ({ csmId: v.csmId || null, notes: v.notes || null })}
      />,
    );
  if (has("csmEngage"))
    cards.push(
      <CommandForm
        key="engage"
        action="csmEngage"
        title="Start the CSM engagement"
        submitLabel="Start engagement"
        path="csm/engage"
        run={run}
        help="Record that you are reaching out to the customer for the final engagement."
        fields={[{ name: "notes", label: "Engagement notes (optional)", kind: "textarea" }]}
        toBody={(v) => ({ notes: v.notes?.trim() ? v.notes : null })}
      />,
    );
  if (has("recordCsmOutcome")) {
    // The offers the CSM may agree now: those the engine lets them present (offer-options), and
    // an open one the customer may still accept, the likely save, with its terms.
    const acceptable = new Set(
      allowed
        .filter((a) => a.kind === "answerOffer" && a.answers?.includes("accepted"))
        .map((a) => a.offerCode),
    );
    const open = c.offers.findLast((o) => o.answer === "pending" && acceptable.has(o.offerCode));
    const csmOffers = [
      ...(open ? [{ code: open.offerCode, label: open.label }] : []),
      ...(props.offerOptions ?? []).filter((o) => o.code !== open?.offerCode),
    ];
    const isCustom = (code: string | undefined) =>
      policy?.offers.find((o) => o.code === code)?.kind === "custom";
    // What agreeing the offer would replace: billing keeps one discount, so a discount offer
    // replaces the one running. The presentable offers carry it (offer-options); the open offer
    // is not presentable again, so it is judged by the same rule against the running discount.
    const replacedDiscount = (code: string | undefined): string | null => {
      const option = props.offerOptions?.find((o) => o.code === code);
      if (option) return describeReplacedDiscount(option.replacesDiscount, option.effect.currency);
      const offer = policy?.offers.find((o) => o.code === code);
      const subscription = props.subscription;
      if (!offer || !subscription) return null;
      return describeReplacedDiscount(
        discountReplacedBy(offer, subscription.discount),
        subscription.currency,
      );
    };
    const offerLabel = (code: string | undefined) =>
      csmOffers.find((o) => o.code === code)?.label ??
      policy?.offers.find((o) => o.code === code)?.label;
    // Either outcome is final: a save closes the case and changes billing at once, and "proceed"
    // hands the case back to be processed. Neither can be undone, so the CSM is asked first.
    const outcomeConfirmation = (v: Values): Confirmation | null => {
      if (v.outcome === "proceed")
        return {
          title: "Proceed with the cancellation?",
          message:
            "This records that the customer's decision stands. The account manager can then process the cancellation; the outcome cannot be changed afterwards.",
          confirmLabel: "Record: proceed",
        };
      const label = offerLabel(v.offerCode);
      // Without an offer (or a choice) the server names the missing field.
      if (v.outcome !== "retained" || !label) return null;
      const terms = isCustom(v.offerCode) ? v.customTerms?.trim() : "";
      const replaced = replacedDiscount(v.offerCode);
      return {
        title: "Close the case as retained?",
        message: (
          <>
            This closes the case as retained and applies <strong>{label}</strong> to the
            subscription{terms ? <>, on these terms: “{terms}”</> : null}. Nothing more can be
            recorded on the case afterwards, and this cannot be undone.
            {replaced ? (
              <Text size="sm" mt="xs" c="orange.9" component="span" display="block">
                {replaced}
              </Text>
            ) : null}
          </>
        ),
        confirmLabel: "Close as retained",
      };
    };
    cards.push(
      <CommandForm
        key="outcome"
        action="recordCsmOutcome"
        title="Record the CSM outcome"
        submitLabel="Record outcome"
        path="csm/outcome"
        run={run}
        confirm={outcomeConfirmation}
        fields={[
          {
            // No choice made for the CSM: either answer is final.
            name: "outcome",
            label: "Outcome",
            kind: "radio",
            required: true,
            keep: true,
            options: [
              { value: "proceed", label: "Proceed with the cancellation" },
              { value: "retained", label: "Retained with an offer" },
            ],
          },
          {
            name: "offerCode",
            label: "Offer the customer accepted",
            kind: "select",
            required: true,
            keep: true,
            ...(open ? { initial: open.offerCode } : {}),
            description:
              csmOffers.length === 0 && props.offerOptions !== undefined
                ? "No offer in the catalog is open to this customer now."
                : undefined,
            options: csmOffers.map((o) => ({ value: o.code, label: o.label })),
            when: (v) => v.outcome === "retained",
            note: (v) => replacedDiscount(v.offerCode),
          },
          {
            name: "customTerms",
            label: "Terms agreed with the customer",
            description: "At least 10 characters; the same as presented, or the new terms agreed.",
            kind: "textarea",
            required: true,
            keep: true,
            ...(open?.customTerms ? { initial: open.customTerms } : {}),
            when: (v) => v.outcome === "retained" && isCustom(v.offerCode),
          },
          { name: "notes", label: "Outcome notes", kind: "textarea", required: true },
        ]}
        toBody={(v) => ({
          outcome: v.outcome,
          notes: v.notes,
          offerCode: v.outcome === "retained" ? v.offerCode || null : null,
          ...(v.outcome === "retained" && isCustom(v.offerCode)
            ? { customTerms: v.customTerms }
            : {}),
        })}
      />,
    );
  }
  if (has("processCancellation"))
    cards.push(
      <ProcessCancellation key="process" view={view} subscription={props.subscription} run={run} />,
    );
  if (has("recordConfirmation")) {
    const preferred =
      c.form?.submission?.preferredConfirmationChannel ??
      props.requester?.preferredChannel ??
      "email";
    cards.push(
      <CommandForm
        key="confirmation"
        action="recordConfirmation"
        title="Confirm the cancellation"
        submitLabel={(v) => (v.channel === "phone" ? "Log confirmation call" : "Send confirmation")}
        path="confirmation"
        run={run}
        help={`The customer asked to be confirmed by ${channelWords(preferred)}. Email and SMS are sent for you; a phone confirmation is a call you log here.`}
        fields={[
          {
            name: "channel",
            label: "Channel",
            kind: "select",
            initial: preferred,
            keep: true,
            options: [
              { value: "email", label: "Email" },
              { value: "sms", label: "Text message" },
              { value: "phone", label: "Phone call" },
            ],
          },
          {
            name: "callOutcome",
            label: "Call outcome",
            kind: "radio",
            initial: "reached",
            keep: true,
            options: [
              { value: "reached", label: "Reached the customer" },
              { value: "left_voicemail", label: "Left a voicemail" },
            ],
            when: (v) => v.channel === "phone",
          },
          { name: "notes", label: "Notes (optional)", kind: "textarea" },
        ]}
        toBody={(v) => ({
          channel: v.channel || preferred,
          callOutcome: v.channel === "phone" ? v.callOutcome : null,
          notes: v.notes || null,
        })}
      />,
    );
  }
  if (has("requestFeedback"))
    cards.push(
      <CommandForm
        key="feedback"
        action="requestFeedback"
        title="Send the feedback survey"
        submitLabel="Send the feedback survey"
        path="feedback/request"
        run={run}
        help="Sends the short, optional survey about their experience and what led to the decision."
      />,
    );
  if (has("closeCase"))
    cards.push(
      <CommandForm
        key="close"
        action="closeCase"
        title="Close the case"
        submitLabel="Close case and write documentation"
        path="close"
        run={run}
        confirm={() => ({
          title: "Close the case?",
          message:
            "The case closes and its documentation record is written to the customer's account. Nothing more can be recorded on this case afterwards.",
          confirmLabel: "Close the case",
        })}
        help="Writes the documentation record to the customer's account. Summarise in plain, respectful language."
        fields={[{ name: "summary", label: "Closing summary", kind: "textarea" }]}
        toBody={(v) => ({ summary: v.summary?.trim() ? v.summary : null })}
      />,
    );

  const blocked = view.nextActions.blocked.map((b) => (
    <Alert
      key={b.kind}
      color="orange"
      title={`${actionLabel(b.kind)}: not yet`}
      data-testid={`blocked-${b.kind}`}
    >
      {localTimesIn(b.refusal.message)}
    </Alert>
  ));
  if (props.csmFirst) {
    const key = (card: ReactElement) => String(card.key);
    const own = cards.filter((card) => CSM_CARDS.has(key(card)) || key(card).startsWith("answer-"));
    const step3 = cards.filter((card) => STEP_3_CARDS.has(key(card)));
    const rest = cards.filter((card) => !own.includes(card) && !step3.includes(card));
    return (
      <Stack gap="sm">
        {own}
        {blocked}
        {rest}
        {step3.length > 0 ? <FoldedStep3>{step3}</FoldedStep3> : null}
        <LaterSteps ahead={view.nextActions.ahead ?? []} />
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      {blocked}
      {cards.length === 0 && view.nextActions.blocked.length === 0 ? (
        <Text size="sm" c="dimmed">
          {c.state === "closed"
            ? "This case is closed."
            : "Nothing for you to do on this step right now."}
        </Text>
      ) : null}
      {cards}
      <LaterSteps ahead={view.nextActions.ahead ?? []} />
    </Stack>
  );
}

/** Step 3's actions on the CSM's turn: there, one click away, out of the way of their own. */
function FoldedStep3({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={`${id}-title`}>
      <Group justify="space-between" wrap="nowrap">
        <Title order={3} size="h5" id={`${id}-title`}>
          Step 3 again: the reason, another offer
        </Title>
        <Button
          variant="default"
          size="compact-sm"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Hide step 3" : "Show step 3"}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Record the reason again, present another offer (a custom one included) or record that none
        suits, before your outcome.
      </Text>
      <Collapse expanded={open} id={id}>
        <Stack gap="sm" mt="sm">
          {children}
        </Stack>
      </Collapse>
    </Paper>
  );
}

/** Why the later steps cannot be done yet, so nobody tries to jump ahead. */
export function LaterSteps({ ahead }: { ahead: CaseView["nextActions"]["ahead"] }) {
  if (ahead.length === 0) return null;
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="later-steps">
      <Title order={3} size="h5" id="later-steps" mb={4}>
        Later steps: what each needs first
      </Title>
      <List size="sm" spacing={4}>
        {ahead.map((a) => (
          <List.Item key={a.kind} data-testid={`ahead-${a.kind}`}>
            <Text span size="sm" fw={600}>
              Step {a.step}: {actionLabel(a.kind)}
            </Text>{" "}
            — {localTimesIn(a.refusal.message)}
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}

function PresentOffer({ options, run }: { options: OfferOption[] | undefined; run: RunCommand }) {
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Present an offer">
      <OfferPicker
        options={options}
        busy={busy}
        onPresent={(input) => go("offers", { ...input })}
      />
    </ActionCard>
  );
}

/** The customer's answers to an offer, as buttons: accepting first. */
const ANSWER_BUTTONS = [
  { value: "accepted", text: "Accepted", look: { color: "green" } },
  { value: "declined", text: "Declined", look: { variant: "default" } },
] as const;

function AnswerOffer({
  code,
  label,
  terms,
  answers,
  run,
}: {
  code: string;
  label: string;
  /** A custom offer's terms as presented: what the customer answers. */
  terms: string | null;
  /** The answers the engine takes now: accepted only while the offer is still eligible. */
  answers: ("accepted" | "declined")[];
  run: RunCommand;
}) {
  const { busy, go } = useBusy(run);
  const answer = (value: "accepted" | "declined") =>
    go(`offers/${encodeURIComponent(code)}/answer`, { answer: value });
  return (
    <ActionCard title={`Customer's answer: ${label}`}>
      {terms ? (
        <Text size="sm" style={{ whiteSpace: "pre-line" }}>
          <strong>Terms:</strong> {terms}
        </Text>
      ) : null}
      <Text size="sm">
        {answers.includes("accepted")
          ? "Record the answer the customer gave you (they can also answer through their link)."
          : "This offer no longer fits the case (its reason or subscription changed), so it can only be recorded as declined."}
      </Text>
      <Group>
        {ANSWER_BUTTONS.filter((b) => answers.includes(b.value)).map((b) => (
          <Button
            key={b.value}
            loading={busy}
            {...b.look}
            aria-label={`${b.text}: ${label}`}
            onClick={() => answer(b.value)}
          >
            {b.text}
          </Button>
        ))}
      </Group>
    </ActionCard>
  );
}

function ProcessCancellation({
  view,
  subscription,
  run,
}: {
  view: CaseView;
  subscription: SubscriptionJson | undefined;
  run: RunCommand;
}) {
  const [open, setOpen] = useState(false);
  const { busy, go, error } = useBusy(run, { inline: true, action: "processCancellation" });
  const submission = view.case.form?.submission;
  const asked = submission?.requestedEffective ?? "end_of_term";
  // As the engine will process it: a term already over ends now.
  const mode = subscription
    ? processingModeAt(asked, subscription.currentPeriodEnd, new Date())
    : asked;
  const termOver = mode !== asked;
  const effective =
    mode === "immediately" ? "today, immediately" : formatDate(subscription?.currentPeriodEnd);
  const channel = submission
    ? channelWords(submission.preferredConfirmationChannel)
    : "their preferred channel";
  return (
    <ActionCard title="Process cancellation">
      <Text size="sm">
        Processes the cancellation in the subscription system exactly as the customer's form asks,
        once.
      </Text>
      <Group>
        <Button color="red" onClick={() => setOpen(true)}>
          Process cancellation…
        </Button>
      </Group>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title="Process the cancellation"
        centered
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack>
          <Text size="sm">
            <strong>When:</strong>{" "}
            {termOver
              ? `Immediately: the term already ended on ${formatDate(subscription?.currentPeriodEnd)} (the customer asked for the end of the term)`
              : `${mode === "immediately" ? "Immediately" : "At the end of the term"} (as the customer asked on the form)`}
          </Text>
          <Text size="sm">
            <strong>Effective date:</strong> {effective}
          </Text>
          {subscription ? (
            <Text size="sm">
              <strong>Subscription:</strong> {subscription.externalRef ?? subscription.id},{" "}
              {subscription.seats} seats,{" "}
              {formatMoney(subscription.monthlyValueMinor, subscription.currency)}/month
            </Text>
          ) : null}
          <Text size="sm">
            <strong>What the customer will be told</strong> (by {channel}):{" "}
            {mode === "immediately"
              ? "that the cancellation is done and takes effect now."
              : "that the cancellation is done, when it takes effect, that they keep access until then, and how to reactivate before that date."}
          </Text>
          <DialogProblem error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={busy}
              onClick={async () => (await go("process")) && setOpen(false)}
            >
              Process cancellation
            </Button>
          </Group>
        </Stack>
      </Modal>
    </ActionCard>
  );
}

export function WithdrawButton({ run }: { run: RunCommand }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const { busy, go, error } = useBusy(run, { inline: true, action: "withdraw" });
  return (
    <>
      <Button variant="default" color="red" onClick={() => setOpen(true)}>
        Withdraw request…
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title="The customer withdraws the request"
        centered
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack>
          <Textarea
            label="How the customer withdrew the request"
            description="A withdrawal is the customer's decision: write down what they told you."
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <DialogProblem error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Keep the case open
            </Button>
            <Button
              color="red"
              loading={busy}
              disabled={reason.trim() === ""}
              onClick={async () => (await go("withdraw", { reason })) && setOpen(false)}
            >
              Close as withdrawn
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export function ReassignForm({
  view,
  staff,
  run,
}: {
  view: CaseView;
  staff: UserJson[];
  run: RunCommand;
}) {
  const slots = view.nextActions.allowed.filter((a) => a.kind === "reassign").map((a) => a.slot!);
  const [slot, setSlot] = useState<string | null>(slots[0] ?? null);
  const [user, setUser] = useState<string | null>(null);
  const { busy, go } = useBusy(run);
  if (slots.length === 0) return null;
  const c = view.case;
  // The people the engine would take: the slot's role (admins may be the AM), not whoever holds
  // the slot or the other one, nor for a waiting escalation the person who escalated.
  const escalatedBy =
    c.escalation && c.escalation.outcome === null && c.escalation.escalatedBy.kind === "staff"
      ? c.escalation.escalatedBy.userId
      : null;
  const current = slot === "csm" ? c.assignedCsmId : c.assignedAmId;
  const other = slot === "csm" ? c.assignedAmId : c.assignedCsmId;
  const candidates = staff.filter(
    (u) =>
      u.active &&
      (slot === "csm" ? u.role === "csm" : u.role === "account_manager" || u.role === "admin") &&
      u.id !== current &&
      u.id !== other &&
      !(slot === "csm" && u.id === escalatedBy),
  );
  return (
    <Stack gap="xs">
      <Select
        label="Role on the case"
        data={slots.map((s) => ({ value: s, label: s === "am" ? "Account manager" : "CSM" }))}
        value={slot}
        onChange={(v) => {
          setSlot(v);
          setUser(null);
        }}
        allowDeselect={false}
      />
      <Select
        label="Give the case to"
        searchable
        data={candidates.map((u) => ({ value: u.id, label: u.name }))}
        value={user}
        onChange={setUser}
      />
      <Group>
        <Button
          variant="default"
          loading={busy}
          disabled={!user}
          onClick={async () => (await go("reassign", { slot, toUserId: user })) && setUser(null)}
        >
          Reassign
        </Button>
      </Group>
    </Stack>
  );
}
