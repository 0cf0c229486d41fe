// The policy's rule codes: every refusal of the engine names one. Codes are stable (clients and
// tests match on them); each comes with a plain default sentence telling the user what to do
// first. The engine often gives a more specific sentence naming the attempted action.

import { type AppError, type FieldProblem, policyRefusal, validationError } from "./errors.ts";

export const POLICY_RULES = [
  { code: "CASE_NOT_OPEN", message: "Open a case for this request first." },
  {
    code: "CASE_ALREADY_EXISTS",
    message: "This case already exists; work on it instead of opening it again.",
  },
  {
    code: "CASE_CLOSED",
    message: "This case is closed and can no longer change; open a new case for a new request.",
  },
  {
    code: "POLICY_VERSION_MISMATCH",
    message: "Act on this case with the policy version it was opened under.",
  },
  { code: "STAFF_ONLY", message: "Only staff can do this; sign in to the staff app." },
  {
    code: "CUSTOMER_ONLY",
    message: "Only the customer can do this, through the link sent to them; send them the link.",
  },
  {
    code: "NOT_THE_REQUESTER",
    message: "Only the requester of this case can do this, through their own link.",
  },
  {
    code: "SYSTEM_ONLY",
    message: "This happens automatically when its time runs out; nobody needs to do it by hand.",
  },
  {
    code: "CSM_ROLE_REQUIRED",
    message: "Only a customer success manager can do this; ask the case's CSM.",
  },
  {
    code: "CSM_IS_CASE_AM",
    message:
      "The CSM must be a different person from the case's account manager; choose another CSM.",
  },
  {
    code: "CSM_ESCALATED_THE_CASE",
    message:
      "The CSM's final engagement must come from someone other than the person who escalated the case; ask another CSM.",
  },
  {
    code: "REQUESTER_NOT_AUTHORISED",
    message:
      "Ask an owner or billing admin of the account who is authorised to cancel to make the request.",
  },
  {
    code: "SUBSCRIPTION_NOT_ACTIVE",
    message:
      "This subscription is already cancelled or scheduled to cancel; check the subscription before going on.",
  },
  {
    code: "IDENTITY_METHOD_NOT_ALLOWED",
    message: "This verification method is not allowed by the policy; use another method.",
  },
  {
    code: "IDENTITY_NOT_VERIFIED",
    message: "Verify the requester's identity before anything else.",
  },
  {
    code: "IDENTITY_ALREADY_VERIFIED",
    message: "The requester's identity is already verified; go on with the next step.",
  },
  { code: "IDENTITY_CODE_NOT_SENT", message: "Send a verification code to the requester first." },
  {
    code: "IDENTITY_CODES_EXHAUSTED",
    message:
      "As many codes as the policy allows were sent for this case; verify by the security check instead.",
  },
  {
    code: "IDENTITY_CODE_EXPIRED",
    message: "The verification code has expired; send the requester a new code.",
  },
  { code: "FORM_NOT_SENT", message: "Send the Cancellation Request Form to the customer first." },
  {
    code: "FORM_ALREADY_SENT",
    message: "The form has already been sent; resend it if the customer needs a new link.",
  },
  {
    code: "FORM_ALREADY_SUBMITTED",
    message: "The customer has already submitted the form; go on with the next step.",
  },
  {
    code: "FORM_LINK_EXPIRED",
    message: "The form link has expired; resend the form to the customer.",
  },
  {
    code: "FORM_LINK_STILL_VALID",
    message: "The form link has not expired yet; wait for the customer or send a reminder.",
  },
  {
    code: "FORM_NOT_SUBMITTED",
    message:
      "The customer must submit the Cancellation Request Form first; resend it if they need a new link.",
  },
  {
    code: "REASON_NOT_RECORDED",
    message: "Talk with the customer about why they want to cancel and record the reason first.",
  },
  { code: "OFFER_UNKNOWN", message: "Choose an offer from the policy's offer catalog." },
  {
    code: "OFFER_NOT_ELIGIBLE",
    message:
      "This offer is not open to this subscription's plan, value or reason; choose an eligible offer.",
  },
  {
    code: "OFFER_ROLE_NOT_ALLOWED",
    message: "Your role may not present this offer; ask the CSM or choose another offer.",
  },
  {
    code: "OFFER_ALREADY_PRESENTED",
    message: "This offer is already waiting for the customer's answer.",
  },
  {
    code: "OFFER_NOT_PRESENTED",
    message: "Present this offer to the customer before recording an answer to it.",
  },
  {
    code: "OFFER_ALREADY_ANSWERED",
    message: "The customer has already answered this offer; present it again if they reconsider.",
  },
  {
    code: "OFFER_EXPIRED",
    message: "This offer has expired; present it again if the customer is still interested.",
  },
  {
    code: "OFFER_ANSWER_PENDING",
    message: "Record the customer's answer to the offers still open first.",
  },
  {
    code: "NO_OFFER_PRESENTED",
    message:
      "Present at least one offer, or record why no offer suits, before escalating to the CSM.",
  },
  {
    code: "RETENTION_STEP_OVER",
    message: "The retention steps are over for this case; add a note instead.",
  },
  { code: "NOT_ESCALATED", message: "Escalate the case to the CSM first." },
  {
    code: "ALREADY_ESCALATED",
    message: "The case is already with the CSM; the CSM takes it from here.",
  },
  {
    code: "CSM_NOT_AVAILABLE",
    message: "Choose a CSM: neither the case nor the account has one assigned.",
  },
  {
    code: "CSM_INACTIVE",
    message:
      "The CSM this case would go to is no longer an active user; choose another CSM to escalate to.",
  },
  {
    code: "ASSIGNEE_ROLE_MISMATCH",
    message: "Choose a user who holds the role this assignment needs.",
  },
  { code: "ALREADY_ASSIGNED", message: "This user is already assigned to the case." },
  {
    code: "CSM_ALREADY_ENGAGED",
    message: "The CSM has already engaged; record the CSM outcome next.",
  },
  {
    code: "CSM_OUTCOME_MISSING",
    message: "The CSM must record an outcome before the cancellation can go on.",
  },
  {
    code: "CSM_OUTCOME_ALREADY_RECORDED",
    message: "The CSM has already recorded the outcome; go on with the next step.",
  },
  { code: "CANCELLATION_NOT_PROCESSED", message: "Process the cancellation first." },
  {
    code: "CANCELLATION_ALREADY_PROCESSED",
    message: "The cancellation has already been processed; it happens only once.",
  },
  {
    code: "CONFIRMATION_CHANNEL_MISMATCH",
    message: "Confirm the cancellation on the customer's preferred channel.",
  },
  {
    code: "CONFIRMATION_NOT_RECORDED",
    message: "Confirm the cancellation with the customer on their preferred channel first.",
  },
  {
    code: "CONFIRMATION_ALREADY_RECORDED",
    message: "The confirmation has already been recorded; request feedback next.",
  },
  { code: "FEEDBACK_NOT_REQUESTED", message: "Request the customer's feedback first." },
  {
    code: "FEEDBACK_ALREADY_REQUESTED",
    message:
      "Feedback has already been requested; wait for the answer or for the request to expire.",
  },
  {
    code: "FEEDBACK_ALREADY_SUBMITTED",
    message: "The customer has already given feedback; close the case.",
  },
  {
    code: "FEEDBACK_REQUEST_EXPIRED",
    message: "The feedback request has expired; close the case.",
  },
  {
    code: "FEEDBACK_REQUEST_STILL_OPEN",
    message: "The feedback request has not expired yet; wait for the customer's answer.",
  },
  {
    code: "FEEDBACK_PENDING",
    message: "Wait for the customer's feedback, or for the request to expire, before closing.",
  },
  {
    code: "WITHDRAWAL_TOO_LATE",
    message:
      "The cancellation is already processed; reactivate the subscription instead of withdrawing.",
  },
  { code: "INVALID_INPUT", message: "Correct the fields named in the problems and try again." },
] as const;

export type RuleCode = (typeof POLICY_RULES)[number]["code"];

export const RULE_CODES: readonly RuleCode[] = POLICY_RULES.map((rule) => rule.code);

const DEFAULT_MESSAGES = new Map<string, string>(
  POLICY_RULES.map((rule) => [rule.code, rule.message]),
);

export function defaultRuleMessage(code: RuleCode): string {
  return DEFAULT_MESSAGES.get(code) ?? code;
}

/** Why the engine refused a command. `fields` is set only for INVALID_INPUT. */
export interface Refusal {
  code: RuleCode;
  message: string;
  fields?: FieldProblem[];
}

export function refusal(code: RuleCode, message?: string): Refusal {
  return { code, message: message ?? defaultRuleMessage(code) };
}

export function invalidInput(fields: FieldProblem[]): Refusal {
  const first = fields[0];
  return {
    code: "INVALID_INPUT",
    message: first ? `${first.field}: ${first.message}` : defaultRuleMessage("INVALID_INPUT"),
    fields,
  };
}

/**
 * The refusal as the one error type of CancelDesk: INVALID_INPUT becomes VALIDATION_FAILED (400,
 * with its fields); every other rule becomes POLICY_RULE (409) with the rule as its code.
 */
export function refusalToAppError(r: Refusal): AppError {
  return r.code === "INVALID_INPUT" && r.fields
    ? validationError(r.fields, r.message)
    : policyRefusal(r.code, r.message);
}
