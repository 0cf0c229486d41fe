// What a customer's link opens: the Cancellation Request Form, an offer to answer, or the
// feedback survey; a kind page when the link has expired, was used or replaced, or is not valid;
// and a confirmation page saying what happens next.
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Radio,
  Select,
  Stack,
  Text,
  Textarea,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useParams } from "react-router";
import { ApiError } from "../../../lib/api-client.ts";
import { formatDate, formatDateInWords, formatDateTime, formatMoney } from "../../../lib/format.ts";
import type { CustomerLinkView, OfferEffect, RunningDiscountJson } from "../../../lib/types.ts";
import { type Done, useCustomerLink, useLinkAction } from "../api/customer.ts";
import { CustomerFrame, PageTitle, ProblemAlert, useFocusOnProblem } from "./customer-frame.tsx";

const LINK_PROBLEMS: Record<string, { title: string; text: string }> = {
  LINK_EXPIRED: {
    title: "This link has expired",
    text: "For your security, our links only work for a limited time. Reply to our message or contact your account manager, and we will send you a new one.",
  },
  LINK_USED: {
    title: "This link has already been used",
    text: "We have your answer, thank you. If you need to change it, reply to our message and we will help.",
  },
  LINK_SUPERSEDED: {
    title: "A newer link was sent to you",
    text: "We sent you a new link since this one. Please use the most recent message from us.",
  },
  LINK_INVALID: {
    title: "This link is not valid",
    text: "Check that you copied the whole link from our message, or ask us for a new one.",
  },
};

const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  sms: "Text message (SMS)",
  phone: "Phone call",
};
const EFFECTIVE_LABELS: Record<string, string> = {
  end_of_term: "At the end of my current billing period",
  immediately: "Immediately",
};

export function CustomerLinkPage() {
  const { token = "" } = useParams();
  const link = useCustomerLink(token);
  const [done, setDone] = useState<Done | null>(null);
  if (link.isPending)
    return (
      <CustomerFrame>
        <Loader role="status" aria-label="Loading" />
      </CustomerFrame>
    );
  // What happens next stays on screen whatever the link says now: this page's answer used it.
  if (done && link.data) {
    return (
      <CustomerFrame>
        <DonePage view={link.data} done={done} />
      </CustomerFrame>
    );
  }
  if (link.error && !link.data) {
    const code = link.error instanceof ApiError ? link.error.code : "";
    const problem = LINK_PROBLEMS[code] ?? {
      title: "We could not open this link",
      text: "Please try again in a moment, or reply to our message and we will help.",
    };
    return (
      <CustomerFrame>
        <PageTitle>{problem.title}</PageTitle>
        <Text>{problem.text}</Text>
      </CustomerFrame>
    );
  }
  const view = link.data;
  return (
    <CustomerFrame>
      {done ? (
        <DonePage view={view} done={done} />
      ) : view.purpose === "form" ? (
        <CancellationForm token={token} view={view} onDone={setDone} />
      ) : view.purpose === "offer" ? (
        <OfferAnswer token={token} view={view} onDone={setDone} />
      ) : (
        <FeedbackSurvey token={token} view={view} onDone={setDone} />
      )}
    </CustomerFrame>
  );
}

/**
 * The policy's refusals a customer can meet, in words for the customer: the engine's sentences
 * are written for staff ("present it again", "add a note instead").
 */
const CUSTOMER_REFUSALS: Record<string, string> = {
  OFFER_NOT_ELIGIBLE:
    "This offer no longer applies to your subscription. Your account manager will be in touch about what we can do.",
  OFFER_EXPIRED:
    "This offer has expired. Reply to our message if you would still like it, and we will see what we can do.",
  RETENTION_STEP_OVER:
    "Your request has moved on since this message was sent, so this answer can no longer be recorded. Reply to our message and we will help.",
  CASE_CLOSED: "Your request is already closed. Reply to our message if anything needs to change.",
};

/**
 * A link that stopped working while the page was open is explained as the kind page would; a
 * refusal of the policy in the customer's words.
 */
export const LINK_PROBLEM_TEXT = {
  ...Object.fromEntries(
    Object.entries(LINK_PROBLEMS).map(([code, problem]) => [code, problem.text]),
  ),
  ...CUSTOMER_REFUSALS,
};

function LinkProblem({ error, fields }: { error: unknown; fields?: readonly string[] }) {
  return <ProblemAlert error={error} known={LINK_PROBLEM_TEXT} fieldsShown={fields} />;
}

const FORM_FIELDS = [
  "reasonCode",
  "details",
  "requestedEffective",
  "preferredConfirmationChannel",
  "authorityConfirmed",
];
const SURVEY_FIELDS = ["rating", "decisionReason", "comments"];

function CancellationForm({
  token,
  view,
  onDone,
}: {
  token: string;
  view: CustomerLinkView;
  onDone: (d: Done) => void;
}) {
  const submit = useLinkAction<Record<string, unknown>>(token, "form", view.reference);
  const [reasonCode, setReason] = useState<string | null>(null);
  const [details, setDetails] = useState("");
  const [effective, setEffective] = useState("end_of_term");
  // Only channels the contact can be reached on are offered: the first of them is chosen.
  const [channel, setChannel] = useState(view.confirmationChannels[0] ?? "");
  const [authority, setAuthority] = useState(false);
  const error = submit.error instanceof ApiError ? submit.error : null;
  const reason = view.reasons.find((r) => r.code === reasonCode);
  const formRef = useFocusOnProblem(submit.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate(
      {
        reasonCode: reasonCode ?? "",
        details,
        requestedEffective: effective,
        preferredConfirmationChannel: channel,
        authorityConfirmed: authority,
      },
      { onSuccess: onDone },
    );
  };
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate>
      <Stack>
        <PageTitle>Cancellation Request Form</PageTitle>
        <Text size="sm">
          Request {view.reference}. This form records your request in your own words. It takes about
          two minutes. This link works once, until {formatDateTime(view.expiresAt)}.
        </Text>
        <Text size="sm" data-testid="cancelling-what">
          You are asking to cancel {view.subscription.planName ?? "your subscription"} for{" "}
          {view.subscription.accountName} ({view.subscription.seats}{" "}
          {view.subscription.seats === 1 ? "seat" : "seats"},{" "}
          {formatMoney(view.subscription.monthlyValueMinor, view.subscription.currency)} a month).
        </Text>
        <LinkProblem error={error} fields={FORM_FIELDS} />
        <Select
          label="Why do you want to cancel?"
          required
          placeholder="Choose a reason"
          data={view.reasons.map((r) => ({ value: r.code, label: r.label }))}
          value={reasonCode}
          onChange={setReason}
          error={error?.fieldMessage("reasonCode")}
        />
        <Textarea
          label={reason?.requiresDetails ? "Tell us more" : "Tell us more (optional)"}
          required={reason?.requiresDetails}
          autosize
          minRows={3}
          maxLength={view.detailsMaxLength}
          value={details}
          onChange={(e) => setDetails(e.currentTarget.value)}
          error={error?.fieldMessage("details")}
        />
        <Radio.Group
          label="When should the cancellation take effect?"
          required
          value={effective}
          onChange={setEffective}
          error={error?.fieldMessage("requestedEffective")}
        >
          <Stack gap={6} mt={6}>
            {view.effectiveChoices.map((c) => (
              <Radio
                key={c}
                value={c}
                label={
                  c === "end_of_term"
                    ? `${EFFECTIVE_LABELS[c]}, on ${formatDate(view.subscription.currentPeriodEnd)}: you keep full access until then`
                    : c === "immediately"
                      ? `${EFFECTIVE_LABELS[c]}: access ends as soon as it is processed`
                      : (EFFECTIVE_LABELS[c] ?? c)
                }
              />
            ))}
          </Stack>
        </Radio.Group>
        <Radio.Group
          label="How should we confirm the cancellation?"
          required
          value={channel}
          onChange={setChannel}
          error={error?.fieldMessage("preferredConfirmationChannel")}
        >
          <Stack gap={6} mt={6}>
            {view.confirmationChannels.map((c) => (
              <Radio key={c} value={c} label={CHANNEL_LABELS[c] ?? c} />
            ))}
          </Stack>
        </Radio.Group>
        <Checkbox
          required
          label="I confirm I am authorised to cancel this subscription for my company"
          checked={authority}
          onChange={(e) => setAuthority(e.currentTarget.checked)}
          error={error?.fieldMessage("authorityConfirmed")}
        />
        <Button type="submit" loading={submit.isPending} disabled={submit.isPending}>
          Submit my request
        </Button>
      </Stack>
    </form>
  );
}

/**
 * What the offer does to the customer's monthly price, in the customer's words, from the effect
 * the server computed; nothing when the price stays as it is (a custom offer's terms say it all).
 */
export function priceSentence(e: OfferEffect): string | null {
  const money = (minor: number | null) => formatMoney(minor, e.currency);
  const before = money(e.monthlyValueBeforeMinor);
  if (e.oneTimeCreditMinor > 0)
    return `Worth ${money(e.oneTimeCreditMinor)} at your current price of ${before} a month.`;
  const during = e.monthlyValueDuringMinor;
  if (during === null || during === e.monthlyValueBeforeMinor) return null;
  const months = e.durationMonths;
  const forHowLong = months ? `, for ${months} month${months === 1 ? "" : "s"}` : "";
  const then =
    months && e.monthlyValueAfterMinor !== null
      ? ` Then ${money(e.monthlyValueAfterMinor)} a month.`
      : "";
  return `${money(during)} a month instead of ${before}${forHowLong}.${then}`;
}

/**
 * The discount the customer already has, which accepting the offer replaces (billing keeps one),
 * in their words: so nobody swaps a better discount for a worse one without knowing.
 */
export function replacedDiscountSentence(d: RunningDiscountJson): string {
  return `You already have ${d.percent}% off until ${formatDateInWords(d.endsAt)}. Accepting this offer replaces that discount: the two do not add up.`;
}

function OfferAnswer({
  token,
  view,
  onDone,
}: {
  token: string;
  view: CustomerLinkView;
  onDone: (d: Done) => void;
}) {
  const answer = useLinkAction<{ answer: string }>(token, "offer", view.reference);
  const problemRef = useFocusOnProblem<HTMLDivElement>(answer.error);
  return (
    <Stack ref={problemRef}>
      <PageTitle>An offer for you</PageTitle>
      <Text size="sm">
        Request {view.reference}. You can answer until {formatDateTime(view.expiresAt)}.
      </Text>
      {view.offer ? (
        <Alert color="indigo" title={view.offer.label}>
          <Stack gap="xs">
            <Text size="sm">{view.offer.description}</Text>
            {priceSentence(view.offer.effect) ? (
              <Text size="sm" fw={600}>
                {priceSentence(view.offer.effect)}
              </Text>
            ) : null}
            {view.offer.replacesDiscount ? (
              <Text size="sm" fw={600}>
                {replacedDiscountSentence(view.offer.replacesDiscount)}
              </Text>
            ) : null}
          </Stack>
        </Alert>
      ) : null}
      <LinkProblem error={answer.error} />
      <Group>
        <Button
          loading={answer.isPending && answer.variables?.answer === "accepted"}
          disabled={answer.isPending}
          onClick={() => answer.mutate({ answer: "accepted" }, { onSuccess: onDone })}
        >
          Yes, I accept this offer
        </Button>
        <Button
          variant="default"
          loading={answer.isPending && answer.variables?.answer === "declined"}
          disabled={answer.isPending}
          onClick={() => answer.mutate({ answer: "declined" }, { onSuccess: onDone })}
        >
          No thanks
        </Button>
      </Group>
    </Stack>
  );
}

function FeedbackSurvey({
  token,
  view,
  onDone,
}: {
  token: string;
  view: CustomerLinkView;
  onDone: (d: Done) => void;
}) {
  const send = useLinkAction<Record<string, unknown>>(token, "feedback", view.reference);
  const [rating, setRating] = useState<string>("");
  const [reason, setReason] = useState<string | null>(null);
  const [comments, setComments] = useState("");
  const error = send.error instanceof ApiError ? send.error : null;
  const formRef = useFocusOnProblem(send.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate(
      { rating: rating ? Number(rating) : 0, decisionReason: reason ?? "", comments },
      { onSuccess: onDone },
    );
  };
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate>
      <Stack>
        <PageTitle>How did we do?</PageTitle>
        <Text size="sm">
          Two short questions and room for anything else you'd like to tell us. Your honest answer
          helps us improve. Thank you.
        </Text>
        <LinkProblem error={error} fields={SURVEY_FIELDS} />
        <Radio.Group
          label="How was your experience with us overall?"
          required
          value={rating}
          onChange={setRating}
          error={error?.fieldMessage("rating")}
        >
          <Group gap="md" mt={6}>
            {["1", "2", "3", "4", "5"].map((r) => (
              <Radio
                key={r}
                value={r}
                label={`${r}${r === "1" ? " (poor)" : r === "5" ? " (excellent)" : ""}`}
              />
            ))}
          </Group>
        </Radio.Group>
        <Select
          label="What led to your decision?"
          required
          placeholder="Choose one"
          data={view.reasons.map((r) => ({ value: r.code, label: r.label }))}
          value={reason}
          onChange={setReason}
          error={error?.fieldMessage("decisionReason")}
        />
        <Textarea
          label="Anything else you'd like to tell us? (optional)"
          autosize
          minRows={3}
          value={comments}
          onChange={(e) => setComments(e.currentTarget.value)}
          error={error?.fieldMessage("comments")}
        />
        <Button type="submit" loading={send.isPending} disabled={send.isPending}>
          Send feedback
        </Button>
      </Stack>
    </form>
  );
}

function DonePage({ view, done }: { view: CustomerLinkView; done: Done }) {
  if (view.purpose === "form")
    return (
      <Stack>
        <PageTitle>Thank you, we have your request</PageTitle>
        <Text>
          Your reference is <strong>{view.reference}</strong>.
        </Text>
        <Text fw={600}>What happens next</Text>
        <Text>
          Your account manager will review your request and may get in touch to understand your
          reasons and see whether something else would help. A Customer Success Manager may also
          contact you before the cancellation is processed.
        </Text>
        <Text>
          Nothing changes on your subscription until the cancellation is processed. When it is, we
          confirm it the way you chose, with the date it takes effect. You keep access until then.
        </Text>
      </Stack>
    );
  if (view.purpose === "offer" && done.answeredBefore)
    return (
      <Stack>
        <PageTitle>We have your answer</PageTitle>
        <Text>
          Your answer to this offer is recorded. We will confirm what it means for your subscription
          by message, and your account manager will be in touch about the next step.
        </Text>
        <Text size="sm">Reference {view.reference}.</Text>
      </Stack>
    );
  if (view.purpose === "offer")
    return (
      <Stack>
        <PageTitle>
          {done.outcome === "retained" ? "The offer is yours" : "Thank you for your answer"}
        </PageTitle>
        <Text>
          {done.outcome === "retained"
            ? `We have applied “${view.offer?.label ?? "the offer"}” to your subscription, and your request to cancel is closed. We will confirm the details by message.`
            : "We have noted that this offer does not suit you. Your account manager will be in touch about the next step of your request."}
        </Text>
        <Text size="sm">Reference {view.reference}.</Text>
      </Stack>
    );
  return (
    <Stack>
      <PageTitle>Thank you for your feedback</PageTitle>
      <Text>
        It goes straight to the team, and it helps us improve. We'd be glad to welcome you back any
        time.
      </Text>
      <Text size="sm">Reference {view.reference}.</Text>
    </Stack>
  );
}
