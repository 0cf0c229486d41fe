// The actions open to the signed-in user on this case, exactly those in nextActions.allowed,
// each as a button or a small form saying what it needs; and the step's blocked commands with
// the engine's reason. Nothing here decides what is allowed.
import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  Radio,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { type ReactNode, useState } from "react";
import { formatDate, formatMoney, humanize } from "../../../lib/format.ts";
import type {
  ActionOption,
  CaseView,
  ContactJson,
  OfferOption,
  PolicyDefinition,
  SubscriptionJson,
  UserJson,
} from "../../../lib/types.ts";
import { OfferPicker } from "./offer-picker.tsx";

export type RunCommand = (path: string, body?: Record<string, unknown>) => Promise<boolean>;

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

function useBusy(run: RunCommand) {
  const [busy, setBusy] = useState(false);
  const go = async (path: string, body?: Record<string, unknown>) => {
    setBusy(true);
    try {
      return await run(path, body);
    } finally {
      setBusy(false);
    }
  };
  return { busy, go };
}

function SimpleAction({
  label,
  help,
  path,
  run,
}: {
  label: string;
  help: string;
  path: string;
  run: RunCommand;
}) {
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title={label}>
      <Text size="sm">{help}</Text>
      <Group>
        <Button loading={busy} onClick={() => go(path)}>
          {label}
        </Button>
      </Group>
    </ActionCard>
  );
}

function TextAction(props: {
  title: string;
  help: string;
  field: string;
  label: string;
  path: string;
  button: string;
  run: RunCommand;
  required?: boolean;
  fieldError?: (field: string) => string | undefined;
}) {
  const [text, setText] = useState("");
  const { busy, go } = useBusy(props.run);
  return (
    <ActionCard title={props.title}>
      <Text size="sm">{props.help}</Text>
      <Textarea
        label={props.label}
        required={props.required}
        autosize
        minRows={2}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        error={props.fieldError?.(props.field)}
      />
      <Group>
        <Button
          loading={busy}
          onClick={async () => {
            if (
              await go(props.path, {
                [props.field]: text.trim() === "" && !props.required ? null : text,
              })
            )
              setText("");
          }}
        >
          {props.button}
        </Button>
      </Group>
    </ActionCard>
  );
}

export interface CaseActionsProps {
  view: CaseView;
  policy: PolicyDefinition | undefined;
  offerOptions: OfferOption[];
  subscription: SubscriptionJson | undefined;
  requester: ContactJson | undefined;
  staff: UserJson[];
  run: RunCommand;
  fieldError: (field: string) => string | undefined;
}

export function CaseActions(props: CaseActionsProps) {
  const { view, run, policy } = props;
  const allowed = view.nextActions.allowed;
  const has = (kind: ActionOption["kind"]) => allowed.some((a) => a.kind === kind);
  const c = view.case;
  const cards: ReactNode[] = [];

  if (has("startIdentityVerification"))
    cards.push(
      <SimpleAction
        key="send-code"
        label="Send verification code"
        path="identity/send-code"
        run={run}
        help="Sends a one-time code to the requester's contact details on file. Ask them to read it back."
      />,
    );
  if (has("confirmIdentityCode"))
    cards.push(<ConfirmCode key="confirm" run={run} fieldError={props.fieldError} />);
  if (has("verifyBySecurityCheck"))
    cards.push(<SecurityCheck key="security" run={run} fieldError={props.fieldError} />);
  if (has("sendForm"))
    cards.push(
      <SimpleAction
        key="send-form"
        label="Send the Cancellation Request Form"
        path="form/send"
        run={run}
        help={`Sends a single-use, expiring link to the form on the customer's preferred channel (${props.requester?.preferredChannel ?? "on file"}).`}
      />,
    );
  if (has("recordReasonConversation"))
    cards.push(
      <ReasonConversation key="reason" policy={policy} run={run} fieldError={props.fieldError} />,
    );
  if (allowed.some((a) => a.kind === "presentOffer"))
    cards.push(<PresentOffer key="offers" options={props.offerOptions} run={run} />);
  for (const a of allowed.filter((x) => x.kind === "answerOffer")) {
    const offer = c.offers.find((o) => o.offerCode === a.offerCode && o.answer === "pending");
    cards.push(
      <AnswerOffer
        key={`answer-${a.offerCode}`}
        code={a.offerCode!}
        label={offer?.label ?? a.offerCode!}
        run={run}
      />,
    );
  }
  if (has("recordNoSuitableOffer"))
    cards.push(
      <TextAction
        key="no-offer"
        title="No suitable offer"
        field="reason"
        label="Why no offer suits"
        path="no-suitable-offer"
        button="Record no suitable offer"
        required
        run={run}
        fieldError={props.fieldError}
        help="If nothing in the catalog answers the customer's concern, say so honestly and write down why."
      />,
    );
  if (has("escalateToCsm"))
    cards.push(
      <Escalate key="escalate" staff={props.staff} run={run} fieldError={props.fieldError} />,
    );
  if (has("csmEngage"))
    cards.push(
      <TextAction
        key="engage"
        title="Start the CSM engagement"
        field="notes"
        label="Engagement notes (optional)"
        path="csm/engage"
        button="Start engagement"
        run={run}
        fieldError={props.fieldError}
        help="Record that you are reaching out to the customer for the final engagement."
      />,
    );
  if (has("recordCsmOutcome"))
    cards.push(
      <CsmOutcome key="outcome" policy={policy} run={run} fieldError={props.fieldError} />,
    );
  if (has("processCancellation"))
    cards.push(
      <ProcessCancellation key="process" view={view} subscription={props.subscription} run={run} />,
    );
  if (has("recordConfirmation"))
    cards.push(
      <Confirmation
        key="confirmation"
        view={view}
        requester={props.requester}
        run={run}
        fieldError={props.fieldError}
      />,
    );
  if (has("requestFeedback"))
    cards.push(
      <SimpleAction
        key="feedback"
        label="Send the feedback survey"
        path="feedback/request"
        run={run}
        help="Sends the short, optional survey about their experience and what led to the decision."
      />,
    );
  if (has("closeCase"))
    cards.push(
      <TextAction
        key="close"
        title="Close the case"
        field="summary"
        label="Closing summary"
        path="close"
        button="Close case and write documentation"
        run={run}
        fieldError={props.fieldError}
        help="Writes the documentation record to the customer's account. Summarise in plain, respectful language."
      />,
    );

  return (
    <Stack gap="sm">
      {view.nextActions.blocked.map((b) => (
        <Alert
          key={b.kind}
          color="orange"
          title={`${actionLabel(b.kind)}: not yet`}
          data-testid={`blocked-${b.kind}`}
        >
          {b.refusal.message}
        </Alert>
      ))}
      {cards.length === 0 && view.nextActions.blocked.length === 0 ? (
        <Text size="sm" c="dimmed">
          {c.state === "closed"
            ? "This case is closed."
            : "Nothing for you to do on this step right now."}
        </Text>
      ) : null}
      {cards}
    </Stack>
  );
}

function ConfirmCode({
  run,
  fieldError,
}: {
  run: RunCommand;
  fieldError: (f: string) => string | undefined;
}) {
  const [code, setCode] = useState("");
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Confirm the code">
      <TextInput
        label="Code the customer reads back"
        inputMode="numeric"
        autoComplete="one-time-code"
        value={code}
        onChange={(e) => setCode(e.currentTarget.value)}
        error={fieldError("code")}
      />
      <Group>
        <Button
          loading={busy}
          onClick={async () => (await go("identity/confirm-code", { code })) && setCode("")}
        >
          Confirm code
        </Button>
      </Group>
    </ActionCard>
  );
}

function SecurityCheck({
  run,
  fieldError,
}: {
  run: RunCommand;
  fieldError: (f: string) => string | undefined;
}) {
  const [facts, setFacts] = useState("");
  const [passed, setPassed] = useState("passed");
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Security check">
      <Text size="sm">
        Check account facts only the real contact would know. Record which facts, never the answers.
      </Text>
      <TextInput
        label="Facts checked"
        value={facts}
        onChange={(e) => setFacts(e.currentTarget.value)}
        error={fieldError("factsChecked")}
      />
      <Radio.Group label="Result" value={passed} onChange={setPassed}>
        <Group mt={4}>
          <Radio value="passed" label="Passed" />
          <Radio value="failed" label="Failed" />
        </Group>
      </Radio.Group>
      <Group>
        <Button
          loading={busy}
          onClick={() =>
            go("identity/security-check", { factsChecked: facts, passed: passed === "passed" })
          }
        >
          Record security check
        </Button>
      </Group>
    </ActionCard>
  );
}

function ReasonConversation({
  policy,
  run,
  fieldError,
}: {
  policy: PolicyDefinition | undefined;
  run: RunCommand;
  fieldError: (f: string) => string | undefined;
}) {
  const [reason, setReason] = useState<string | null>(null);
  const [notes, setNotes] = useState("");
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Record the reason conversation">
      <Text size="sm">Listen first; record why the customer wants to cancel, in their words.</Text>
      <Select
        label="Reason"
        data={(policy?.reasons ?? []).map((r) => ({ value: r.code, label: r.label }))}
        value={reason}
        onChange={setReason}
        error={fieldError("reasonCode")}
      />
      <Textarea
        label="What the customer said"
        autosize
        minRows={2}
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
        error={fieldError("notes")}
      />
      <Group>
        <Button
          loading={busy}
          onClick={async () =>
            (await go("reason", { reasonCode: reason ?? "", notes })) && setNotes("")
          }
        >
          Record reason
        </Button>
      </Group>
    </ActionCard>
  );
}

function PresentOffer({ options, run }: { options: OfferOption[]; run: RunCommand }) {
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

function AnswerOffer({ code, label, run }: { code: string; label: string; run: RunCommand }) {
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title={`Customer's answer: ${label}`}>
      <Text size="sm">
        Record the answer the customer gave you (they can also answer through their link).
      </Text>
      <Group>
        <Button
          loading={busy}
          color="green"
          onClick={() => go(`offers/${encodeURIComponent(code)}/answer`, { answer: "accepted" })}
        >
          Accepted
        </Button>
        <Button
          loading={busy}
          variant="default"
          onClick={() => go(`offers/${encodeURIComponent(code)}/answer`, { answer: "declined" })}
        >
          Declined
        </Button>
      </Group>
    </ActionCard>
  );
}

function Escalate({
  staff,
  run,
  fieldError,
}: {
  staff: UserJson[];
  run: RunCommand;
  fieldError: (f: string) => string | undefined;
}) {
  const [csm, setCsm] = useState<string | null>(null);
  const [notes, setNotes] = useState("");
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Escalate to CSM">
      <Text size="sm">
        Hand the case to a Customer Success Manager with the reason and the offers already
        discussed.
      </Text>
      <Select
        label="CSM"
        description="Leave empty for the case's or the account's CSM"
        clearable
        data={staff
          .filter((u) => u.role === "csm" && u.active)
          .map((u) => ({ value: u.id, label: u.name }))}
        value={csm}
        onChange={setCsm}
        error={fieldError("csmId")}
      />
      <Textarea
        label="Hand-over notes"
        autosize
        minRows={2}
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
      />
      <Group>
        <Button loading={busy} onClick={() => go("escalate", { csmId: csm, notes: notes || null })}>
          Escalate to CSM
        </Button>
      </Group>
    </ActionCard>
  );
}

function CsmOutcome({
  policy,
  run,
  fieldError,
}: {
  policy: PolicyDefinition | undefined;
  run: RunCommand;
  fieldError: (f: string) => string | undefined;
}) {
  const [outcome, setOutcome] = useState("proceed");
  const [offer, setOffer] = useState<string | null>(null);
  const [notes, setNotes] = useState("");
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Record the CSM outcome">
      <Radio.Group label="Outcome" value={outcome} onChange={setOutcome}>
        <Group mt={4}>
          <Radio value="proceed" label="Proceed with the cancellation" />
          <Radio value="retained" label="Retained with an offer" />
        </Group>
      </Radio.Group>
      {outcome === "retained" ? (
        <Select
          label="Offer the customer accepted"
          data={(policy?.offers ?? []).map((o) => ({ value: o.code, label: o.label }))}
          value={offer}
          onChange={setOffer}
          error={fieldError("offerCode")}
        />
      ) : null}
      <Textarea
        label="Outcome notes"
        required
        autosize
        minRows={2}
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
        error={fieldError("notes")}
      />
      <Group>
        <Button
          loading={busy}
          onClick={() =>
            go("csm/outcome", { outcome, notes, offerCode: outcome === "retained" ? offer : null })
          }
        >
          Record outcome
        </Button>
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
  const { busy, go } = useBusy(run);
  const submission = view.case.form?.submission;
  const mode = submission?.requestedEffective ?? "end_of_term";
  const effective =
    mode === "immediately" ? "today, immediately" : formatDate(subscription?.currentPeriodEnd);
  const channel = submission?.preferredConfirmationChannel ?? "their preferred channel";
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
            {mode === "immediately" ? "Immediately" : "At the end of the term"} (as the customer
            asked on the form)
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
            <strong>What the customer will be told</strong> (by {channel}): that the cancellation is
            done, when it takes effect, that they keep access until then, and how to reactivate
            before that date.
          </Text>
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

function Confirmation({
  view,
  requester,
  run,
  fieldError,
}: {
  view: CaseView;
  requester: ContactJson | undefined;
  run: RunCommand;
  fieldError: (f: string) => string | undefined;
}) {
  const preferred =
    view.case.form?.submission?.preferredConfirmationChannel ??
    requester?.preferredChannel ??
    "email";
  const [channel, setChannel] = useState<string>(preferred);
  const [callOutcome, setCallOutcome] = useState("reached");
  const [notes, setNotes] = useState("");
  const { busy, go } = useBusy(run);
  return (
    <ActionCard title="Confirm the cancellation">
      <Text size="sm">
        The customer asked to be confirmed by {preferred}. Email and SMS are sent for you; a phone
        confirmation is a call you log here.
      </Text>
      <Select
        label="Channel"
        data={["email", "sms", "phone"].map((v) => ({ value: v, label: humanize(v) }))}
        value={channel}
        onChange={(v) => setChannel(v ?? preferred)}
        error={fieldError("channel")}
        allowDeselect={false}
      />
      {channel === "phone" ? (
        <Radio.Group label="Call outcome" value={callOutcome} onChange={setCallOutcome}>
          <Group mt={4}>
            <Radio value="reached" label="Reached the customer" />
            <Radio value="left_voicemail" label="Left a voicemail" />
          </Group>
        </Radio.Group>
      ) : null}
      <Textarea
        label="Notes (optional)"
        autosize
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
      />
      <Group>
        <Button
          loading={busy}
          onClick={() =>
            go("confirmation", {
              channel,
              callOutcome: channel === "phone" ? callOutcome : null,
              notes: notes || null,
            })
          }
        >
          {channel === "phone" ? "Log confirmation call" : "Send confirmation"}
        </Button>
      </Group>
    </ActionCard>
  );
}

export function WithdrawButton({ run }: { run: RunCommand }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const { busy, go } = useBusy(run);
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
            label="What the customer said (optional)"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Keep the case open
            </Button>
            <Button
              color="red"
              loading={busy}
              onClick={async () =>
                (await go("withdraw", { reason: reason || null })) && setOpen(false)
              }
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
  const role = slot === "csm" ? "csm" : "account_manager";
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
        data={staff
          .filter((u) => u.role === role && u.active)
          .map((u) => ({ value: u.id, label: u.name }))}
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
