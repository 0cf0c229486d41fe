// Turns a claimed outbox row into the message a person reads: loads what the wording needs (the
// case, account, plan, account manager, the policy version the case follows), derives the code
// or link from the nonce in the payload with the server's secret, and renders the template.
import type { AppContext } from "../app/context.ts";
import { identityCode, linkToken, linkTokenHash } from "../app/customer-secrets.ts";
import { getSettings } from "../app/settings.ts";
import { findAccountById } from "../db/repositories/accounts.repository.ts";
import { findCase } from "../db/repositories/cases.repository.ts";
import { findContactById } from "../db/repositories/contacts.repository.ts";
import {
  findCustomerLink,
  findIdentityCodeState,
} from "../db/repositories/customer-links.repository.ts";
import type { ClaimedMessage } from "../db/repositories/outbox-delivery.repository.ts";
import { findPlanById } from "../db/repositories/plans.repository.ts";
import {
  findLatestPolicy,
  findPolicyVersion,
} from "../db/repositories/policy-versions.repository.ts";
import { findSubscriptionById } from "../db/repositories/subscriptions.repository.ts";
import { findUserById } from "../db/repositories/users.repository.ts";
import { type Case, savedOffer } from "../domain/case.ts";
import type { Contact, Subscription } from "../domain/customer.ts";
import { discountReplacedBy, runningDiscountOf } from "../domain/offers.ts";
import { type HandedSecret, reasonNotToSend } from "../domain/outbox.ts";
import {
  findOffer,
  findStep,
  type MessageTemplateKey,
  type OfferDefinition,
  type PolicyDefinition,
} from "../domain/policy-definition.ts";
import { fillScript, scriptValues } from "../domain/script.ts";
import { permanentFailure } from "../integrations/delivery-errors.ts";
import { wootrecruitPolicy } from "../policy/wootrecruit.ts";
import {
  codeEntryVars,
  formLinkTemplate,
  type RenderedMessage,
  renderStaffNotice,
  renderTemplate,
  type TemplateVars,
  templateFor,
} from "./message-templates.ts";

export interface ComposeServices extends Pick<AppContext, "db" | "now" | "sessionSecret"> {
  publicUrl: string;
  /** The name messages sign with; unset reads the workspace setting (Admin > Settings). */
  companyName?: string | undefined;
}

export interface ComposedMessage {
  channel: "email" | "sms";
  to: string;
  toName: string | null;
  /** Customers' emails invite a reply ("reply to this message"): it reaches their AM. */
  replyTo?: { name: string; address: string } | null;
  rendered: RenderedMessage;
}

/** A message that is not to go out any more, and why (see reasonNotToSend). */
export interface SkippedMessage {
  skipped: string;
}

const CUSTOMER_TEMPLATES: Record<string, MessageTemplateKey> = {
  identity_code: "identity_code",
  form_link: "form_link",
  form_reminder: "form_reminder",
  offer_link: "offer_link",
  offer_confirmation: "offer_confirmation",
  cancellation_confirmation: "cancellation_confirmation",
  feedback_request: "feedback_request",
  reactivation_confirmation: "reactivation_confirmation",
  self_service_not_authorised: "self_service_not_authorised",
};

/** Formatters by time zone and style, built once: Intl formatters are costly to make. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string, style: "dateTime" | "date" | "zone") {
  const key = `${style}:${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(
      "en-US",
      style === "dateTime"
        ? { dateStyle: "long", timeStyle: "short", timeZone }
        : style === "date"
          ? { dateStyle: "long", timeZone }
          : { timeZone, timeZoneName: "short" },
    );
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Times in the account's own time zone (Admin: the account's `timeZone`), named so nobody has to
 * guess ("November 28, 2026 at 11:15 PM GMT+11"); UTC when the account has none.
 */
export function formatDateTime(at: string | Date, timeZone?: string | null): string {
  const zone = timeZone ?? "UTC";
  const when = new Date(at);
  const name = formatterFor(zone, "zone")
    .formatToParts(when)
    .find((part) => part.type === "timeZoneName")?.value;
  return `${formatterFor(zone, "dateTime").format(when)} ${name ?? zone}`;
}

export function formatDate(at: string | Date, timeZone?: string | null): string {
  return formatterFor(timeZone ?? "UTC", "date").format(new Date(at));
}

function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(minor / 100);
}

/**
 * Policy versions never change once published, so each worker keeps the ones it has read; the
 * latest version (for messages without a case) is looked up again after a minute.
 */
export class PolicyCache {
  private readonly versions = new Map<number, PolicyDefinition>();
  private latest: { definition: PolicyDefinition; at: number } | undefined;

  async get(
    services: Pick<AppContext, "db" | "now">,
    version: number | null,
  ): Promise<PolicyDefinition> {
    if (version === null) {
      const now = services.now().getTime();
      if (!this.latest || now - this.latest.at > 60_000 || now < this.latest.at) {
        const definition = (await findLatestPolicy(services.db))?.definition ?? wootrecruitPolicy;
        this.latest = { definition, at: now };
      }
      return this.latest.definition;
    }
    const cached = this.versions.get(version);
    if (cached) return cached;
    const definition = (await findPolicyVersion(services.db, version))?.definition;
    if (!definition) return wootrecruitPolicy;
    this.versions.set(version, definition);
    return definition;
  }
}

async function caseVars(
  services: ComposeServices,
  c: Case,
): Promise<{ vars: TemplateVars; timeZone: string | null; subscription?: Subscription }> {
  const [account, subscription, am, csm] = await Promise.all([
    findAccountById(services.db, c.accountId),
    findSubscriptionById(services.db, c.subscriptionId),
    c.assignedAmId ? findUserById(services.db, c.assignedAmId) : undefined,
    c.assignedCsmId ? findUserById(services.db, c.assignedCsmId) : undefined,
  ]);
  const plan = subscription ? await findPlanById(services.db, subscription.planId) : undefined;
  // The customer is told to write to their AM, and replies go there: a deactivated AM's mailbox
  // is nobody's, so the account's own AM stands in, else no one is named.
  const accountAm =
    !am?.active && account?.accountManagerId && account.accountManagerId !== am?.id
      ? await findUserById(services.db, account.accountManagerId)
      : undefined;
  const named = am?.active ? am : accountAm?.active ? accountAm : undefined;
  const vars: TemplateVars = {
    reference: c.reference,
    accountName: account?.name ?? "your account",
    planName: plan?.name ?? "WootRecruit",
    monthlyValue: subscription
      ? formatMoney(subscription.monthlyValueMinor, subscription.currency)
      : "",
    amName: named?.name ?? "your account manager",
    amEmail: named?.email ?? "",
    csmName: csm?.name ?? "",
    caseUrl: `${services.publicUrl}/cases/${c.id}`,
    slaDueAt: c.escalation ? formatDateTime(c.escalation.slaDueAt) : "",
    csmOutcome: c.escalation?.outcome ?? "",
  };
  return { vars, timeZone: account?.timeZone ?? null, subscription };
}

/** For a message about an account rather than a case: its name and its active AM. */
async function accountVars(
  services: ComposeServices,
  accountId: string,
): Promise<{ vars: TemplateVars; timeZone: string | null; subscription?: Subscription }> {
  const account = await findAccountById(services.db, accountId);
  const am = account?.accountManagerId
    ? await findUserById(services.db, account.accountManagerId)
    : undefined;
  const named = am?.active ? am : undefined;
  return {
    vars: {
      accountName: account?.name ?? "your account",
      amName: named?.name ?? "your account manager",
      amEmail: named?.email ?? "",
    },
    timeZone: account?.timeZone ?? null,
  };
}

/**
 * A paragraph for an offer that would replace the discount running on the subscription (billing
 * keeps one, so the two do not add up), so nobody gives up a better discount unknowingly; empty
 * otherwise.
 */
function replacesDiscountSentence(
  offer: OfferDefinition | undefined,
  subscription: Subscription | undefined,
  now: Date,
  timeZone: string | null,
): string {
  if (!offer || !subscription) return "";
  const replaced = discountReplacedBy(offer, runningDiscountOf(subscription, now));
  if (!replaced) return "";
  const until = formatDate(replaced.endsAt, timeZone);
  const paying = formatMoney(replaced.monthlyValueMinor, subscription.currency);
  return `\n\nYou already have ${replaced.percent}% off until ${until} (${paying} a month). Accepting this offer replaces that discount: the two do not add up.`;
}

function effectiveVars(
  c: Case | undefined,
  effectiveAt: string | undefined,
  timeZone: string | null,
): TemplateVars {
  if (!effectiveAt) return {};
  const date = formatDate(effectiveAt, timeZone);
  const endOfTerm = c?.processing?.mode !== "immediately";
  return {
    effectiveDate: date,
    effectiveSentence: endOfTerm
      ? `It takes effect at the end of your current term, on ${date}; until then you and your team keep full access.`
      : `It took effect immediately, on ${date}.`,
    reactivateSentence: endOfTerm
      ? `Changed your mind? You can reactivate any time before ${date}: reply to this message or write to your account manager, and everything carries on as before.`
      : "If you would like to come back one day, reply to this message and we will gladly set you up again.",
    // Nothing receives text messages: the SMS names a person to write to, not "reply".
    reactivateShort: endOfTerm
      ? `To reactivate, write to your account manager before ${date}.`
      : "",
  };
}

export async function composeMessage(
  services: ComposeServices,
  policies: PolicyCache,
  message: ClaimedMessage,
): Promise<ComposedMessage | SkippedMessage> {
  const payload = message.payload as Record<string, string | undefined>;
  const recipient = message.recipient as Record<string, string | null | undefined>;
  const c = message.caseId ? await findCase(services.db, message.caseId) : undefined;
  const skipped = reasonNotToSend(
    message.topic,
    c,
    await handedSecret(services, payload),
    services.now(),
  );
  if (skipped) return { skipped };
  const policy = await policies.get(services, c?.policyVersion ?? null);
  const about = c
    ? await caseVars(services, c)
    : payload.accountId
      ? await accountVars(services, payload.accountId)
      : { vars: {}, timeZone: null };
  // Customers read times in their account's time zone; staff notices keep UTC.
  const timeZone = about.timeZone;
  const vars: TemplateVars = {
    company: services.companyName ?? (await getSettings(services.db)).companyName,
    reference: payload.reference ?? "",
    ...about.vars,
  };

  if (message.channel === "staff") {
    const user = recipient.userId ? await findUserById(services.db, recipient.userId) : undefined;
    if (!user?.active) throw permanentFailure("the staff user is missing or deactivated");
    const requester = c ? await findRequester(services, c) : undefined;
    const offer = payload.offerCode ? findOffer(policy, payload.offerCode) : undefined;
    const staffVars: TemplateVars = {
      ...vars,
      recipientName: user.name,
      csmName: vars.csmName || "The CSM",
      requesterName: requester?.name ?? "The customer",
      requesterPhone: requester?.phone ?? "the number on file",
      callScript:
        c && requester ? await filledScript(services, c, policy, requester, timeZone) : "",
      offerLabel: offer?.label ?? payload.offerCode ?? "",
      handoverNotes: c?.escalation?.notes
        ? ` The notes handed over with it: ${quoted(c.escalation.notes)}`
        : "",
      timeBoxNote: policy.slas.csmStepTimeBox
        ? " This policy time-boxes the CSM step: once the due time passes, the cancellation may be processed without a CSM outcome."
        : "",
    };
    let topic = payload.topic ?? "";
    if (topic === "csm_outcome_recorded" && c?.escalation?.outcome) {
      // The AM is told what the CSM decided and what, if anything, is theirs to do.
      topic = `csm_outcome_${c.escalation.outcome}`;
      // The offer accepted last under that code: one declined earlier may carry other terms.
      const kept = savedOffer(c);
      staffVars.offerLabel =
        kept?.label ?? findOffer(policy, c.escalation.retainedOfferCode ?? "")?.label ?? "an offer";
      staffVars.customTerms = kept?.customTerms ? ` (${kept.customTerms})` : "";
    }
    const rendered =
      topic === "case_escalated"
        ? renderTemplate(templateFor("escalation_notice", policy), {
            ...staffVars,
            actionLabel: "Open the case",
          })
        : renderStaffNotice(topic, staffVars);
    return { channel: "email", to: user.email, toName: user.name, rendered };
  }

  const topicKey = CUSTOMER_TEMPLATES[message.topic];
  if (!topicKey) throw permanentFailure(`no template for messages of topic ${message.topic}`);
  const key =
    topicKey === "form_link"
      ? formLinkTemplate(policy, c?.identity.method === "self_service")
      : topicKey;
  const channel = message.channel === "sms" ? "sms" : "email";
  const to = channel === "sms" ? recipient.phone : recipient.email;
  if (!to) {
    throw permanentFailure(
      `the contact has no ${channel === "sms" ? "mobile number" : "email address"} on file`,
    );
  }
  const offer = payload.offerCode ? findOffer(policy, payload.offerCode) : undefined;
  // The presentation the message is about: the latest under its code (a code may be presented
  // again, on other terms, once the first is answered); a confirmation, the one accepted.
  const presented = c?.offers.findLast(
    (o) =>
      o.offerCode === payload.offerCode &&
      (message.topic !== "offer_confirmation" || o.answer === "accepted"),
  );
  Object.assign(vars, {
    name: recipient.name ?? "there",
    minutes: String(policy.identity.codeLifetimeMinutes),
    expiresAt: payload.expiresAt ? formatDateTime(payload.expiresAt, timeZone) : "",
    offerLabel: presented?.label ?? offer?.label ?? "",
    offerDescription: presented?.customTerms ?? offer?.description ?? "",
    ...effectiveVars(c, payload.effectiveAt, timeZone),
    replacesDiscount: replacesDiscountSentence(offer, about.subscription, services.now(), timeZone),
    actionLabel:
      key === "feedback_request"
        ? "Share your feedback"
        : key === "offer_link"
          ? "See the offer"
          : key === "identity_code"
            ? "Enter the code"
            : "Open the form",
  });
  if (payload.codeNonce) {
    Object.assign(
      vars,
      codeEntryVars(
        c && !payload.selfService
          ? {
              kind: "case",
              reference: c.reference,
              verifyUrl: `${services.publicUrl}/verify?ref=${encodeURIComponent(c.reference)}`,
            }
          : { kind: "self_service", startUrl: `${services.publicUrl}/cancel?code` },
        vars.company ?? "",
      ),
    );
    vars.code = identityCode(
      services.sessionSecret,
      payload.codeNonce,
      Number(payload.codeLength ?? policy.identity.codeLength),
    );
  }
  if (payload.linkNonce) {
    vars.url = `${services.publicUrl}/c/${linkToken(services.sessionSecret, payload.linkNonce)}`;
  }
  const rendered = renderTemplate(templateFor(key, policy), vars);
  const replyTo = vars.amEmail ? { name: vars.amName ?? "", address: vars.amEmail } : null;
  return { channel, to, toName: recipient.name ?? null, replyTo, rendered };
}

/** The state of the code or link the message hands over, read when it is about to go. */
async function handedSecret(
  services: ComposeServices,
  payload: Record<string, string | undefined>,
): Promise<HandedSecret | undefined> {
  if (payload.codeId) {
    return { kind: "code", state: await findIdentityCodeState(services.db, payload.codeId) };
  }
  if (payload.linkNonce) {
    const tokenHash = linkTokenHash(linkToken(services.sessionSecret, payload.linkNonce));
    return { kind: "link", state: await findCustomerLink(services.db, tokenHash) };
  }
  return undefined;
}

/**
 * The call's suggested script as the AM reads it on the case: "[CSM]" by name, "[date]" in the
 * customer's time zone (the AM says it to them), the channel and offer in words.
 */
async function filledScript(
  services: ComposeServices,
  c: Case,
  policy: PolicyDefinition,
  requester: { preferredChannel: Contact["preferredChannel"] },
  timeZone: string | null,
): Promise<string> {
  const script = findStep(policy, "finalize_cancellation")?.script ?? "";
  const parts = fillScript(
    script,
    scriptValues(c, { policy, account: { assignedCsmId: null }, requester }),
  );
  const words = await Promise.all(
    parts.map(async (part) => {
      if ("text" in part) return part.text;
      if ("date" in part) return formatDate(part.date, timeZone);
      return (await findUserById(services.db, part.userId))?.name ?? part.placeholder;
    }),
  );
  return words.join("");
}

/** Someone's words in quotes, ending the sentence once: `"Call before Friday."`, not `.".`. */
function quoted(words: string): string {
  const text = words.trim();
  return /[.!?]$/.test(text) ? `"${text}"` : `"${text}."`;
}

function findRequester(services: ComposeServices, c: Case) {
  return findContactById(services.db, c.requesterContactId);
}
