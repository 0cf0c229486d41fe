// The types of a versioned policy definition: the data the engine enforces and the knowledge-base
// article is rendered from, so the two can never disagree. Each case keeps the version it started
// under; src/policy holds the default definition and its validation.

import type { IdentityMethod } from "./case.ts";

export const STEP_KEYS = [
  "initial_contact",
  "cancellation_request_form",
  "assistance_and_alternatives",
  "escalation_to_csm",
  "finalize_cancellation",
  "feedback",
  "documentation",
] as const;
export type StepKey = (typeof STEP_KEYS)[number];

/** Stripe's cancellation feedback values; every policy's reason list must contain them all. */
export const STRIPE_REASON_CODES = [
  "too_expensive",
  "missing_features",
  "switched_service",
  "unused",
  "customer_service",
  "too_complex",
  "low_quality",
  "other",
] as const;

export const OFFER_KINDS = [
  "discount",
  "pause",
  "downgrade",
  "extension",
  "training",
  "support",
  "custom",
] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

/** Who may present an offer. Admins may present any offer; the system counts as an AM. */
export const OFFER_PRESENTERS = ["account_manager", "csm"] as const;
export type OfferPresenter = (typeof OFFER_PRESENTERS)[number];

export interface PolicyStep {
  number: number;
  key: StepKey;
  title: string;
  /** The policy's own words for the step, quoted unchanged. */
  policyText: string;
  /** Practical guidance in the voice of the policy's note: professional, empathetic, respectful. */
  guidance: string;
  /** A suggested thing to say to the customer at this step. */
  script: string;
}

export interface CancellationReason {
  code: string;
  label: string;
  /** The form's details field becomes mandatory for this reason (e.g. "other"). */
  requiresDetails: boolean;
}

export interface OfferEligibility {
  /** Plans the offer is open to; null means every plan. */
  planCodes: string[] | null;
  /** Inclusive bounds on the subscription's monthly value, in minor units of `policy.currency`. */
  minMonthlyValueMinor: number | null;
  maxMonthlyValueMinor: number | null;
  /** Cancellation reasons the offer answers; null means any reason. */
  reasonCodes: string[] | null;
}

interface OfferBase {
  code: string;
  label: string;
  /** What the customer is told, in plain words. */
  description: string;
  eligibility: OfferEligibility;
  presentableBy: OfferPresenter[];
}

export type OfferDefinition = OfferBase &
  (
    | { kind: "discount"; parameters: { percentOff: number; months: number } }
    | { kind: "pause"; parameters: { pauseMonths: number } }
    | { kind: "downgrade"; parameters: { toPlanCode: string } }
    | { kind: "extension"; parameters: { extensionDays: number } }
    | { kind: "training"; parameters: { sessions: number } }
    | { kind: "support"; parameters: { days: number } }
    /** Terms are agreed case by case and written on the offer when it is presented. */
    | { kind: "custom"; parameters: Record<string, never> }
  );

export interface IdentitySettings {
  /** Digits in a one-time code. */
  codeLength: number;
  codeLifetimeMinutes: number;
  /** Failed attempts (codes and security checks together) after which the case closes unverified. */
  attemptLimit: number;
  /**
   * Codes a case may send in all, so a requester's inbox or phone cannot be flooded; absent in
   * versions published before it existed, which get DEFAULT_MAX_CODES_SENT.
   */
  maxCodesSent?: number;
  methods: IdentityMethod[];
}

/** The cap on codes sent per case for a policy version that does not set one. */
export const DEFAULT_MAX_CODES_SENT = 5;

export interface FormSettings {
  detailsMaxLength: number;
}

export interface SlaSettings {
  /** A CSM must engage with an escalated case within this many hours. */
  csmEngagementDueHours: number;
  /** The escalation shows as at risk when fewer than this many hours remain. */
  csmEngagementAtRiskHours: number;
  formLinkExpiryHours: number;
  /** Hours after sending the form without a submission when a reminder is due. */
  formReminderHours: number;
  /** A presented offer may be answered for this many hours. */
  offerAnswerExpiryHours: number;
  feedbackExpiryDays: number;
  /**
   * When true, the CSM step is time-boxed: once the escalation's SLA has passed with no CSM
   * outcome, the cancellation may be processed anyway (for click-to-cancel rules).
   */
  csmStepTimeBox: boolean;
}

export interface PolicyDefinition {
  version: number;
  name: string;
  /** The knowledge-base article's title: "What do I do if someone wants to cancel?". */
  articleTitle: string;
  objective: string;
  scope: string;
  /** The closing note on professionalism, empathy and respect. */
  note: string;
  /** The currency of the offer catalog's monthly value bounds (ISO 4217). */
  currency: string;
  steps: PolicyStep[];
  reasons: CancellationReason[];
  offers: OfferDefinition[];
  identity: IdentitySettings;
  form: FormSettings;
  slas: SlaSettings;
  /**
   * Message wording for this policy version, overriding the defaults in code
   * (src/jobs/message-templates.ts) one template at a time. `{{name}}` placeholders are filled in
   * at delivery; see the README for the list.
   */
  templates?: Partial<Record<MessageTemplateKey, MessageTemplate>>;
}

/** The longest code of a reason or an offer; the routes that take one take this long. */
export const POLICY_CODE_MAX_LENGTH = 64;

/** The customer and CSM messages whose wording a policy version may change. */
export const MESSAGE_TEMPLATE_KEYS = [
  "identity_code",
  "form_link",
  /** The form link for a request the customer started on the self-service page: no conversation yet. */
  "self_service_form_link",
  "form_reminder",
  "offer_link",
  "offer_confirmation",
  "escalation_notice",
  "cancellation_confirmation",
  "feedback_request",
  "reactivation_confirmation",
  /** To a contact who asked on the self-service page but may not cancel: who can. */
  "self_service_not_authorised",
] as const;
export type MessageTemplateKey = (typeof MESSAGE_TEMPLATE_KEYS)[number];

/** Any part left out keeps the default: subject and text for email, `sms` for a text message. */
export interface MessageTemplate {
  subject?: string;
  /** Plain text; paragraphs are separated by a blank line. The HTML version is built from it. */
  text?: string;
  sms?: string;
}

/** Whether the policy lets a requester be verified this way (the engine's rule, and the page's). */
export function allowsIdentityMethod(policy: PolicyDefinition, method: IdentityMethod): boolean {
  return policy.identity.methods.includes(method);
}

export function findReason(
  policy: PolicyDefinition,
  code: string | null | undefined,
): CancellationReason | undefined {
  return code ? policy.reasons.find((reason) => reason.code === code) : undefined;
}

export function findOffer(policy: PolicyDefinition, code: string): OfferDefinition | undefined {
  return policy.offers.find((offer) => offer.code === code);
}

export function findStep(policy: PolicyDefinition, key: StepKey): PolicyStep | undefined {
  return policy.steps.find((step) => step.key === key);
}
