// The wording of every message CancelDesk sends, in the calm, respectful voice the policy's note
// asks for. Customer templates (and the CSM's escalation notice) can be overridden per policy
// version (`templates` in the definition); staff notices are fixed here. Pure: no I/O.
import type {
  MessageTemplate,
  MessageTemplateKey,
  PolicyDefinition,
} from "../domain/policy-definition.ts";

export type TemplateVars = Record<string, string>;

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  /** The short version for a text message. */
  sms: string;
}

type FullTemplate = Required<MessageTemplate>;

const SIGN_OFF = "With thanks,\nThe {{company}} team";

export const DEFAULT_TEMPLATES: Record<MessageTemplateKey, FullTemplate> = {
  identity_code: {
    subject: "Your {{company}} verification code",
    text: `Hello {{name}},

Your verification code is {{code}}. It works once, for the next {{minutes}} minutes.

{{codeEntry}}

Nobody from {{company}} will ask you for the code in any other way.

If you did not ask to change your {{company}} subscription, you can ignore this message: nothing changes without you.

${SIGN_OFF}`,
    sms: "{{company}}: your verification code is {{code}}. It expires in {{minutes}} minutes.{{codeEntrySms}} If you didn't ask for it, you can ignore this message.",
  },
  form_link: {
    subject: "Your cancellation request form ({{reference}})",
    text: `Hello {{name}},

Thank you for letting us know. As we discussed, here is the Cancellation Request Form. It takes a couple of minutes and makes sure your request is handled exactly as you want it:

{{url}}

The link works once, until {{expiresAt}}. If it runs out, just ask and we will send a new one.

If there is anything we can help with in the meantime, reply to this message: we are listening.

${SIGN_OFF}`,
    sms: "{{company}}: here is your cancellation request form: {{url}} (open until {{expiresAt}}). Ref {{reference}}.",
  },
  self_service_form_link: {
    subject: "Your cancellation request form ({{reference}})",
    text: `Hello {{name}},

Thank you for confirming your email address. Your request to cancel is open under reference {{reference}}. The next step is the Cancellation Request Form: it takes a couple of minutes and makes sure your request is handled exactly as you want it.

If the form is not already open in your browser, you can fill it in here:

{{url}}

The link works once, until {{expiresAt}}. If it runs out, just ask and we will send a new one.

If there is anything we can help with in the meantime, reply to this message: we are listening.

${SIGN_OFF}`,
    sms: "{{company}}: your cancellation request {{reference}} is open. Its form: {{url}} (open until {{expiresAt}}).",
  },
  form_reminder: {
    subject: "A reminder: your cancellation request form ({{reference}})",
    text: `Hello {{name}},

A gentle reminder: we have not yet received your Cancellation Request Form, and we need it to process your request the way you asked. You can fill it in here:

{{url}}

The link works until {{expiresAt}}. If you have changed your mind or have a question, simply reply; there is no pressure either way.

${SIGN_OFF}`,
    sms: "{{company}}: a reminder that your cancellation request form is waiting: {{url}} (open until {{expiresAt}}).",
  },
  offer_link: {
    subject: "An option for your {{company}} subscription ({{reference}})",
    text: `Hello {{name}},

Thank you for telling us why you are thinking of leaving. Before you decide, we would like to offer you this:

{{offerLabel}}: {{offerDescription}}{{replacesDiscount}}

You can accept or decline it here, whichever suits you best:

{{url}}

The offer is open until {{expiresAt}}. Declining it is completely fine and will not hold up your request.

${SIGN_OFF}`,
    sms: "{{company}}: we have an option for you ({{offerLabel}}). Accept or decline here: {{url}}",
  },
  offer_confirmation: {
    subject: "Confirmed: {{offerLabel}}",
    text: `Hello {{name}},

Thank you for staying with {{company}}. We have applied what you accepted to your {{planName}} subscription:

{{offerLabel}}: {{offerDescription}}

Your cancellation request {{reference}} is closed and nothing else changes. If you have any question, reply to this message or write to {{amName}} at {{amEmail}}.

${SIGN_OFF}`,
    sms: "{{company}}: confirmed, {{offerLabel}} is applied to your subscription and your cancellation request {{reference}} is closed. Thank you for staying.",
  },
  escalation_notice: {
    subject: "Escalated to you: {{accountName}} wants to cancel ({{reference}})",
    text: `Hello {{recipientName}},

{{accountName}} has asked to cancel their {{planName}} subscription ({{monthlyValue}} a month). The case {{reference}} is escalated to you for the final retention conversation.

Please engage by {{slaDueAt}}.{{handoverNotes}} The reason given, the conversation so far and the offers already made are on the case:

{{caseUrl}}

No cancellation is processed before you record an outcome.{{timeBoxNote}}`,
    sms: "CancelDesk: {{reference}} ({{accountName}}) is escalated to you; please engage by {{slaDueAt}}.",
  },
  cancellation_confirmation: {
    subject: "Your {{company}} cancellation is confirmed ({{reference}})",
    text: `Hello {{name}},

This confirms that the {{planName}} subscription of {{accountName}} is cancelled, as you asked. {{effectiveSentence}}

{{reactivateSentence}}

Thank you for the time you spent with us. We are sorry to see you go, and you will always be welcome back.

${SIGN_OFF}`,
    sms: "{{company}}: your {{planName}} cancellation is confirmed, effective {{effectiveDate}}. {{reactivateShort}} Ref {{reference}}.",
  },
  feedback_request: {
    subject: "Would you tell us how we did? ({{reference}})",
    text: `Hello {{name}},

Now that your cancellation is complete, we would be grateful for two minutes of your time. Your honest view helps us do better for everyone:

{{url}}

The survey is open until {{expiresAt}}, and it is entirely optional.

${SIGN_OFF}`,
    sms: "{{company}}: would you tell us how we did? Two minutes, entirely optional: {{url}}",
  },
  reactivation_confirmation: {
    subject: "Welcome back: your {{company}} subscription continues",
    text: `Hello {{name}},

Good news: the {{planName}} subscription of {{accountName}} is reactivated and the scheduled cancellation is withdrawn. Nothing changes for you and your team.

If you have any question, reply to this message or write to {{amName}} at {{amEmail}}.

${SIGN_OFF}`,
    sms: "{{company}}: your {{planName}} subscription is reactivated and the scheduled cancellation is withdrawn. Welcome back.",
  },
  self_service_not_authorised: {
    subject: "About your request to cancel {{accountName}}'s {{company}} subscription",
    text: `Hello {{name}},

Someone, probably you, asked on our cancellation page to cancel the {{company}} subscription of {{accountName}} with this email address.

A cancellation can be requested only by the account's owner or billing administrator who is authorised to cancel, so we have not sent a code and nothing has changed. Please ask them to make the request; they can start it on the same page with their own email address.

If you have a question, reply to this message and {{amName}} will help.

If this was not you, you can ignore this message.

${SIGN_OFF}`,
    sms: "{{company}}: only your account's owner or billing administrator can cancel the subscription of {{accountName}}. Nothing has changed.",
  },
};

/** Staff notices: subject and text; every one ends with the link to the case. */
const STAFF_TEMPLATES: Record<string, { subject: string; text: string }> = {
  // The CSM's decision, as the AM must act on it: a save closed the case, a "proceed" is theirs.
  csm_outcome_recorded: {
    subject: "The CSM recorded an outcome on {{reference}}",
    text: "{{csmName}} recorded an outcome on {{reference}} ({{accountName}}).",
  },
  csm_outcome_retained: {
    subject: "Saved: {{csmName}} kept {{accountName}} ({{reference}})",
    text: '{{csmName}} kept {{accountName}} with "{{offerLabel}}"{{customTerms}}. The case {{reference}} is closed as retained and the offer is applied to the subscription: nothing more is needed from you.',
  },
  csm_outcome_proceed: {
    subject: "Go ahead: process the cancellation of {{reference}}",
    text: "{{csmName}} engaged {{accountName}} and decided to proceed with the cancellation of {{reference}}. Process it on the case, then confirm it with the customer on their preferred channel.",
  },
  form_submitted: {
    subject: "{{requesterName}} submitted the form on {{reference}}",
    text: "{{requesterName}} ({{accountName}}) submitted the Cancellation Request Form on {{reference}}.",
  },
  form_link_expired: {
    subject: "The form link on {{reference}} expired unused",
    text: "The Cancellation Request Form link sent to {{requesterName}} ({{accountName}}) expired before it was used. Resend the form, or record a withdrawal if the customer has changed their mind.",
  },
  offer_answered: {
    subject: "{{requesterName}} answered an offer on {{reference}}",
    text: "{{requesterName}} ({{accountName}}) answered an offer through their link on {{reference}}.",
  },
  confirmation_call_due: {
    subject: "Call {{requesterName}} to confirm the cancellation ({{reference}})",
    text: "{{requesterName}} ({{accountName}}) asked for the confirmation by phone. Call {{requesterPhone}}, then record the call and its outcome on the case.\n\nA suggested script: {{callScript}}",
  },
  case_assigned: {
    subject: "{{reference}} is assigned to you",
    text: "The cancellation case {{reference}} ({{accountName}}) is now assigned to you.",
  },
  csm_sla_at_risk: {
    subject: "At risk: {{reference}} needs the CSM by {{slaDueAt}}",
    text: "The escalated case {{reference}} ({{accountName}}) has had no CSM engagement yet and is due by {{slaDueAt}}.",
  },
  csm_sla_breached: {
    subject: "Breached: {{reference}} passed its CSM engagement time",
    text: "The escalated case {{reference}} ({{accountName}}) passed its CSM engagement due time ({{slaDueAt}}) without engagement.{{timeBoxNote}}",
  },
  offer_expired: {
    subject: "An offer on {{reference}} expired unanswered",
    text: 'The offer "{{offerLabel}}" sent to {{requesterName}} ({{accountName}}) expired without an answer. Follow up with the customer, or go on with the next step.',
  },
};

/**
 * Where the customer enters an identity code, for the `{{codeEntry}}` and `{{codeEntrySms}}`
 * placeholders: a staff-opened case's code goes on the code entry page with the case reference
 * (or is read back to the AM); a self-service code on the page where it was asked for.
 */
export function codeEntryVars(
  entry:
    | { kind: "case"; reference: string; verifyUrl: string }
    | { kind: "self_service"; startUrl: string },
  company: string,
): TemplateVars {
  if (entry.kind === "self_service") {
    // Read on another device, or after the page was closed: the link opens the code step.
    return {
      codeEntry: `Enter it on the page where you asked for it, or here:\n\n${entry.startUrl}`,
      codeEntrySms: "",
    };
  }
  return {
    codeEntry: `To confirm it yourself, enter your case reference ${entry.reference} and this code here:\n\n${entry.verifyUrl}\n\nOr read the code to the person you are speaking with at ${company}.`,
    codeEntrySms: ` Enter it with ref ${entry.reference} at ${entry.verifyUrl}`,
    verifyUrl: entry.verifyUrl,
  };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

// What makes each message do its job: a code message without its code, or a link message
// without its link, would leave the customer (or the CSM) with nothing to act on.
const REQUIRED: Partial<Record<MessageTemplateKey, Partial<Record<"text" | "sms", string>>>> = {
  identity_code: { text: "code", sms: "code" },
  form_link: { text: "url", sms: "url" },
  self_service_form_link: { text: "url", sms: "url" },
  form_reminder: { text: "url", sms: "url" },
  offer_link: { text: "url", sms: "url" },
  feedback_request: { text: "url", sms: "url" },
  escalation_notice: { text: "caseUrl" },
};

// What compose-message fills in for each message (its case's facts, then the message's own).
// caseUrl, slaDueAt and the requester's details are staff facts: only the CSM's notice has them.
// A case's facts, in every message about a case.
const CASE_FACTS = [
  "company",
  "reference",
  "accountName",
  "planName",
  "monthlyValue",
  "amName",
  "amEmail",
  "csmName",
  "actionLabel",
];
const CUSTOMER_FACTS = [...CASE_FACTS, "name"];
const LINK = ["url", "expiresAt"];
const OFFER = ["offerLabel", "offerDescription"];
export const TEMPLATE_PLACEHOLDERS: Record<MessageTemplateKey, ReadonlySet<string>> = {
  identity_code: new Set([
    ...CUSTOMER_FACTS,
    "code",
    "minutes",
    "codeEntry",
    "codeEntrySms",
    "expiresAt",
  ]),
  form_link: new Set([...CUSTOMER_FACTS, ...LINK]),
  self_service_form_link: new Set([...CUSTOMER_FACTS, ...LINK]),
  form_reminder: new Set([...CUSTOMER_FACTS, ...LINK]),
  // replacesDiscount: a paragraph when a discount offer would replace a running discount, else "".
  offer_link: new Set([...CUSTOMER_FACTS, ...LINK, ...OFFER, "replacesDiscount"]),
  offer_confirmation: new Set([...CUSTOMER_FACTS, ...OFFER]),
  cancellation_confirmation: new Set([
    ...CUSTOMER_FACTS,
    "effectiveDate",
    "effectiveSentence",
    "reactivateSentence",
    "reactivateShort",
  ]),
  feedback_request: new Set([...CUSTOMER_FACTS, ...LINK]),
  reactivation_confirmation: new Set(CUSTOMER_FACTS),
  self_service_not_authorised: new Set(["company", "name", "accountName", "amName", "amEmail"]),
  escalation_notice: new Set([
    ...CASE_FACTS,
    "caseUrl",
    "slaDueAt",
    "recipientName",
    "requesterName",
    "requesterPhone",
    "offerLabel",
    "timeBoxNote",
    "handoverNotes",
  ]),
};

/**
 * What is wrong with a policy version's wording of `key`: a placeholder the message cannot fill
 * (it would silently come out empty), or a part without the code or link the message exists for.
 */
export function templatePlaceholderProblems(
  key: MessageTemplateKey,
  template: MessageTemplate,
): { part: "subject" | "text" | "sms"; message: string }[] {
  const problems: { part: "subject" | "text" | "sms"; message: string }[] = [];
  for (const part of ["subject", "text", "sms"] as const) {
    const wording = template[part];
    if (wording === undefined) continue;
    const used = placeholdersIn(wording);
    for (const name of new Set(used)) {
      if (!TEMPLATE_PLACEHOLDERS[key].has(name)) {
        problems.push({ part, message: `{{${name}}} is not something this message can fill in` });
      }
    }
    const required = part === "subject" ? undefined : REQUIRED[key]?.[part];
    if (required && !used.includes(required)) {
      problems.push({ part, message: `must include {{${required}}}` });
    }
  }
  return problems;
}

/** Fills `{{name}}` placeholders; an unknown placeholder becomes empty rather than showing braces. */
export function fill(template: string, vars: TemplateVars): string {
  return template.replace(PLACEHOLDER, (_m, key: string) => vars[key] ?? "");
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const URL_ONLY = /^https?:\/\/\S+$/;
const URL_IN_TEXT = /(https?:\/\/[^\s<]+)/g;

/**
 * The HTML version of a plain-text message: the company's header, one paragraph per block, a
 * button for a link that stands on its own line, and a footer with the reference.
 */
export function toHtml(text: string, vars: TemplateVars): string {
  const company = escapeHtml(vars.company ?? "");
  const blocks = text
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      if (URL_ONLY.test(block)) {
        const href = escapeHtml(block);
        return `<p style="margin:24px 0"><a href="${href}" style="background:#3b5bdb;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(vars.actionLabel || "Open")}</a></p><p style="font-size:13px;color:#555">Or copy this address into your browser: <a href="${href}" style="color:#3b5bdb">${href}</a></p>`;
      }
      const html = escapeHtml(block)
        .replace(URL_IN_TEXT, (url) => `<a href="${url}" style="color:#3b5bdb">${url}</a>`)
        .replaceAll("\n", "<br>");
      return `<p style="margin:0 0 16px">${html}</p>`;
    })
    .join("\n");
  const reference = vars.reference ? ` · Reference ${escapeHtml(vars.reference)}` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(vars.subject ?? company)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2328">
<tr><td style="padding:20px 32px;border-bottom:3px solid #3b5bdb;font-size:20px;font-weight:700;color:#3b5bdb">${company}</td></tr>
<tr><td style="padding:28px 32px">
${blocks}
</td></tr>
<tr><td style="padding:16px 32px;font-size:12px;color:#6a737d;border-top:1px solid #eaecef">${company}${reference}</td></tr>
</table></td></tr></table>
</body></html>`;
}

/**
 * Which wording a form link goes out in. A request the customer started on the self-service page
 * had no conversation before its form, so it has its own; unless the case's policy version words
 * the form link itself and not the self-service one: an admin's wording is kept, not swapped for
 * the default.
 */
export function formLinkTemplate(
  policy: Pick<PolicyDefinition, "templates">,
  selfService: boolean,
): "form_link" | "self_service_form_link" {
  if (!selfService) return "form_link";
  const ownFormWording =
    policy.templates?.form_link !== undefined &&
    policy.templates?.self_service_form_link === undefined;
  return ownFormWording ? "form_link" : "self_service_form_link";
}

/** The template for `key`: the policy version's wording where it has one, the default otherwise. */
export function templateFor(
  key: MessageTemplateKey,
  policy: Pick<PolicyDefinition, "templates"> | undefined,
): FullTemplate {
  return { ...DEFAULT_TEMPLATES[key], ...(policy?.templates?.[key] ?? {}) };
}

export function renderTemplate(template: FullTemplate, vars: TemplateVars): RenderedMessage {
  const subject = fill(template.subject, vars).trim();
  const text = fill(template.text, vars).trim();
  return {
    subject,
    text,
    html: toHtml(text, { ...vars, subject }),
    sms: fill(template.sms, vars).replace(/\s+/g, " ").trim(),
  };
}

export function renderStaffNotice(topic: string, vars: TemplateVars): RenderedMessage {
  const template = STAFF_TEMPLATES[topic] ?? {
    subject: "An update on {{reference}}",
    text: `Something happened on {{reference}} (${topic.replaceAll("_", " ")}).`,
  };
  const text = `Hello {{recipientName}},\n\n${template.text}\n\n{{caseUrl}}`;
  return renderTemplate(
    {
      subject: template.subject,
      text,
      sms: `CancelDesk: ${template.subject}`,
    },
    { ...vars, actionLabel: "Open the case" },
  );
}
