// Every step of the policy as a command. A command carries who issues it and when; anything the
// engine cannot compute purely (codes, hashes, tokens, ids, references) is computed by the
// use-case layer and passed in as a fact (e.g. `codeMatches`, `linkExpiresAt`).

import type { Actor } from "./actor.ts";
import type { CallOutcome, ConfirmationChannel, EffectiveChoice, RequestChannel } from "./case.ts";

interface CommandBase {
  actor: Actor;
  now: Date;
}

export type OpenCase = CommandBase & {
  kind: "openCase";
  caseId: string;
  reference: string;
  accountId: string;
  subscriptionId: string;
  requesterContactId: string;
  channel: RequestChannel;
  /** Defaults to the acting AM when a staff member opens the case. */
  assignedAmId?: string | null;
  /** What the customer said when asking, in a line or two. */
  summary?: string | null;
};

/** Send a one-time code to the contact details on file; resending replaces the previous code. */
export type StartIdentityVerification = CommandBase & {
  kind: "startIdentityVerification";
  method: "code";
  codeExpiresAt: Date;
};

/** `codeMatches` is computed outside, by comparing the entered code's hash with the stored one. */
export type ConfirmIdentityCode = CommandBase & {
  kind: "confirmIdentityCode";
  codeMatches: boolean;
};

export type VerifyBySecurityCheck = CommandBase & {
  kind: "verifyBySecurityCheck";
  passed: boolean;
  /** Which account facts were checked (never the answers themselves). */
  factsChecked: string;
};

/** The customer started on the self-service page through a verified link. */
export type VerifySelfService = CommandBase & { kind: "verifySelfService" };

export type SendForm = CommandBase & { kind: "sendForm"; linkExpiresAt: Date };
export type ResendForm = CommandBase & { kind: "resendForm"; linkExpiresAt: Date };

export interface FormSubmissionInput {
  reasonCode: string;
  details: string;
  requestedEffective: EffectiveChoice;
  preferredConfirmationChannel: ConfirmationChannel;
  authorityConfirmed: boolean;
}

export type SubmitForm = CommandBase & { kind: "submitForm"; submission: FormSubmissionInput };

/** Issued by the expiry timer when the latest form link ran out unused. */
export type ExpireForm = CommandBase & { kind: "expireForm" };

export type RecordReasonConversation = CommandBase & {
  kind: "recordReasonConversation";
  reasonCode: string;
  notes: string;
};

export type PresentOffer = CommandBase & {
  kind: "presentOffer";
  offerCode: string;
  /** Required for custom offers: the terms agreed to be offered. */
  customTerms?: string | null;
  /** Also send the customer a link to answer online (default true). */
  sendToCustomer?: boolean;
};

export type AnswerOffer = CommandBase & {
  kind: "answerOffer";
  offerCode: string;
  answer: "accepted" | "declined";
};

export type RecordNoSuitableOffer = CommandBase & { kind: "recordNoSuitableOffer"; reason: string };

export type EscalateToCsm = CommandBase & {
  kind: "escalateToCsm";
  /** Defaults to the case's CSM, else the account's CSM. */
  csmId?: string | null;
  notes?: string | null;
};

export type CsmEngage = CommandBase & { kind: "csmEngage"; notes?: string | null };

export type RecordCsmOutcome = CommandBase & {
  kind: "recordCsmOutcome";
  outcome: "retained" | "proceed";
  /** Required when retained: the offer the customer agreed to. */
  offerCode?: string | null;
  customTerms?: string | null;
  notes: string;
};

/** Mode and effective time come from the form and the subscription, never from the command. */
export type ProcessCancellation = CommandBase & { kind: "processCancellation" };

export type RecordConfirmation = CommandBase & {
  kind: "recordConfirmation";
  channel: ConfirmationChannel;
  /** Required for phone: the call was made and this is what happened. */
  callOutcome?: CallOutcome | null;
  notes?: string | null;
};

export type RequestFeedback = CommandBase & { kind: "requestFeedback"; linkExpiresAt: Date };

export type SubmitFeedback = CommandBase & {
  kind: "submitFeedback";
  rating: number;
  decisionReason: string;
  comments: string;
};

export type ExpireFeedbackRequest = CommandBase & { kind: "expireFeedbackRequest" };

export type Withdraw = CommandBase & { kind: "withdraw"; reason?: string | null };

/** Closes a cancelled case once feedback arrived or expired, with the AM's closing summary. */
export type CloseCase = CommandBase & { kind: "closeCase"; summary?: string | null };

export type AddNote = CommandBase & { kind: "addNote"; text: string };

export type Reassign = CommandBase & { kind: "reassign"; slot: "am" | "csm"; toUserId: string };

export type Command =
  | OpenCase
  | StartIdentityVerification
  | ConfirmIdentityCode
  | VerifyBySecurityCheck
  | VerifySelfService
  | SendForm
  | ResendForm
  | SubmitForm
  | ExpireForm
  | RecordReasonConversation
  | PresentOffer
  | AnswerOffer
  | RecordNoSuitableOffer
  | EscalateToCsm
  | CsmEngage
  | RecordCsmOutcome
  | ProcessCancellation
  | RecordConfirmation
  | RequestFeedback
  | SubmitFeedback
  | ExpireFeedbackRequest
  | Withdraw
  | CloseCase
  | AddNote
  | Reassign;

export type CommandKind = Command["kind"];
export type CommandOf<K extends CommandKind> = Extract<Command, { kind: K }>;

/**
 * Who may issue each command, before any step rule is checked:
 * - `staff`: a signed-in staff member;
 * - `staff_or_system`: staff, or the system (jobs, API keys);
 * - `customer`: the requester through their own link (the policy counts only the customer's own
 *   form, survey answer and self-service start, so nobody submits them on the customer's behalf);
 * - `anyone`: staff, system, or the requester (e.g. answering an offer read out on the phone);
 * - `csm`: a staff member holding the CSM role who is not the case's AM;
 * - `system`: timers only.
 */
export type ActorRule = "staff" | "staff_or_system" | "customer" | "anyone" | "csm" | "system";

export const COMMAND_ACTORS: Record<CommandKind, ActorRule> = {
  openCase: "anyone",
  startIdentityVerification: "anyone",
  confirmIdentityCode: "anyone",
  verifyBySecurityCheck: "staff",
  verifySelfService: "customer",
  sendForm: "staff_or_system",
  resendForm: "staff_or_system",
  submitForm: "customer",
  expireForm: "system",
  recordReasonConversation: "staff_or_system",
  presentOffer: "staff_or_system",
  answerOffer: "anyone",
  recordNoSuitableOffer: "staff_or_system",
  escalateToCsm: "staff_or_system",
  csmEngage: "csm",
  recordCsmOutcome: "csm",
  processCancellation: "staff_or_system",
  recordConfirmation: "staff_or_system",
  requestFeedback: "staff_or_system",
  submitFeedback: "customer",
  expireFeedbackRequest: "system",
  withdraw: "anyone",
  closeCase: "staff_or_system",
  addNote: "staff_or_system",
  reassign: "staff_or_system",
};

/** Every command kind, in the order of the policy's steps. */
export const COMMAND_KINDS = Object.keys(COMMAND_ACTORS) as CommandKind[];

/** How a refusal message names the attempted action ("before sending the form"). */
export const ACTION_PHRASES: Record<CommandKind, string> = {
  openCase: "opening the case",
  startIdentityVerification: "sending a verification code",
  confirmIdentityCode: "confirming the verification code",
  verifyBySecurityCheck: "running the security check",
  verifySelfService: "verifying the self-service start",
  sendForm: "sending the form",
  resendForm: "resending the form",
  submitForm: "submitting the form",
  expireForm: "expiring the form link",
  recordReasonConversation: "recording the reason conversation",
  presentOffer: "presenting an offer",
  answerOffer: "recording the answer to an offer",
  recordNoSuitableOffer: "recording that no offer suits",
  escalateToCsm: "escalating to the CSM",
  csmEngage: "the CSM engages",
  recordCsmOutcome: "recording the CSM outcome",
  processCancellation: "processing the cancellation",
  recordConfirmation: "recording the confirmation",
  requestFeedback: "requesting feedback",
  submitFeedback: "submitting feedback",
  expireFeedbackRequest: "expiring the feedback request",
  withdraw: "withdrawing the request",
  closeCase: "closing the case",
  addNote: "adding a note",
  reassign: "reassigning the case",
};
