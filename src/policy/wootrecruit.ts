// WootRecruit's Subscription Cancellation Policy (knowledge-base article "What do I do if someone
// wants to cancel?") as the default policy definition, version 1. Each step quotes the policy's
// own words and adds guidance in the voice of its closing note: professionalism, empathy, respect.

import type { PolicyDefinition } from "../domain/policy-definition.ts";

/** WootRecruit's plans, cheapest first. Offer eligibility refers to these codes. */
export const WOOTRECRUIT_PLAN_CODES = ["starter", "growth", "scale", "enterprise"] as const;

const NOTE =
  "Account managers and the CSM must handle all interactions with professionalism, empathy, and respect, aiming to leave the customer with a positive impression of the company.";

export const wootrecruitPolicy: PolicyDefinition = {
  version: 1,
  name: "WootRecruit Subscription Cancellation Policy",
  articleTitle: "What do I do if someone wants to cancel?",
  objective:
    "To establish a standardized procedure for account managers handling cancellation requests of WootRecruit subscriptions to ensure a consistent and efficient process.",
  scope: "This policy applies to all account managers within the company.",
  note: NOTE,
  currency: "USD",
  steps: [
    {
      number: 1,
      key: "initial_contact",
      title: "Initial Contact",
      policyText:
        "Upon receiving a cancellation request, the account manager must first verify the identity of the customer to ensure the request is legitimate.",
      guidance:
        "Thank the customer for reaching out and let them know you will help. Before discussing the account, verify who you are speaking with: send a one-time code to the contact details on file, or run the security check against the account's facts. Only an owner or billing admin who is authorised to cancel can ask for a cancellation; if someone else asks, explain kindly why you need the request to come from them. Verification protects the customer's account, so present it as care, not as an obstacle.",
      script:
        "Thank you for getting in touch, and I'm sorry to hear you're thinking of leaving. To protect your account, I'll first send a short verification code to the email address we have on file. Could you read it back to me when it arrives?",
    },
    {
      number: 2,
      key: "cancellation_request_form",
      title: "Cancellation Request Form",
      policyText:
        "Inform the customer that completion of the Cancellation Request Form is mandatory. Provide them with the form, guiding them on how to fill it out and where to submit it.",
      guidance:
        "Tell the customer plainly that the Cancellation Request Form is required, and why: it records their request in their own words, when it should take effect, and how they want to be confirmed. Send the link on their preferred channel and walk them through it: the reason, any details, end of term or immediately, the confirmation channel, and confirming their authority. Let them know the link is personal, works once, and expires; offer to resend it if they need more time.",
      script:
        "To make sure we handle this exactly as you want, our process asks you to complete a short Cancellation Request Form. I've just sent you a secure link: it asks for your reason, when you'd like the cancellation to take effect, and how you'd like us to confirm it. It takes about two minutes, and I'm happy to stay on the line while you fill it in.",
    },
    {
      number: 3,
      key: "assistance_and_alternatives",
      title: "Offer Assistance and Alternatives",
      policyText:
        "Attempt to understand the reason behind the cancellation and offer possible solutions or alternatives that might address the customer’s concerns.",
      guidance:
        "Listen first. Ask open questions about what led to the decision and record the conversation in the customer's words before suggesting anything. Then offer only what genuinely answers their concern: the catalog shows the offers open to their plan, spend and reason. Present an offer once and respect the answer; if nothing fits, say so honestly and record why. The goal is to help, not to pressure.",
      script:
        "Before we go further, could you tell me a little more about what's led to this? ... Thank you, that's really helpful. Based on what you've said, we could [offer]. Would that make a difference for you? If not, that's completely fine.",
    },
    {
      number: 4,
      key: "escalation_to_csm",
      title: "Escalation to Customer Success Manager (CSM)",
      policyText:
        "If the customer is still inclined to cancel after initial solutions are offered:\n• Escalate the case to the Customer Success Manager before processing the cancellation.\n• The CSM will attempt a final engagement to understand the customer’s needs and explore all possible options to retain the account.",
      guidance:
        "If the customer still wants to cancel, thank them for their openness and let them know a Customer Success Manager will be in touch shortly, and by when. Hand the case over with the reason and the offers already discussed, so the customer never has to repeat themselves. CSM: reach out within the engagement SLA, acknowledge what the customer has already said, explore what would truly help, and record your outcome with notes: retained with an offer, or proceed with the cancellation. If the customer's mind is made up, respect it.",
      script:
        "I understand. So we can be sure we've explored everything that might help, I'm passing your request to [CSM], our Customer Success Manager for your account, who will contact you within one business day. They'll already have the details, so you won't need to repeat anything.",
    },
    {
      number: 5,
      key: "finalize_cancellation",
      title: "Finalize the Cancellation",
      policyText:
        "If the customer wishes to proceed with the cancellation after intervention by the CSM:\n• Ensure the Cancellation Request Form is filled out and submitted by the customer.\n• Process the cancellation in the system.\n• Confirm the cancellation with the customer via their preferred communication method (email, phone, etc.).",
      guidance:
        "Check that the customer has submitted the form themself; if not, resend the link. Process the cancellation exactly as the form asks (at the end of the term or immediately) and only once. Then confirm it on the customer's preferred channel: say what was cancelled, when it takes effect, what happens to their data, and how to come back. Keep the tone warm and leave the door open.",
      script:
        "Your cancellation is done. Your WootRecruit subscription will end on [date], and you'll keep full access until then. I've sent a confirmation to [channel]. If anything changes, you can reactivate any time before that date, and we'd be glad to have you back.",
    },
    {
      number: 6,
      key: "feedback",
      title: "Feedback",
      policyText:
        "Request feedback from the customer regarding their experience and what led to their decision to cancel. This information is valuable for improving our services.",
      guidance:
        "After the confirmation, invite the customer to a short survey about their experience and what led to the decision. Make it easy to decline, thank them whatever they choose, and never use feedback to reopen the sales conversation.",
      script:
        "One last thing, only if you have a minute: we'd really value your honest feedback on your experience with WootRecruit. I'll send a short survey link; it's three questions and completely optional.",
    },
    {
      number: 7,
      key: "documentation",
      title: "Documentation",
      policyText:
        "Document the entire process in the customer’s account for future reference, including the reason for cancellation and any feedback provided.",
      guidance:
        "When the case closes, CancelDesk writes the documentation record to the customer's account: the reason, offers and answers, the CSM's outcome, the processing and confirmation, the feedback, and who did what and when. Add a closing summary in plain, respectful language that a colleague could read a year from now.",
      script:
        "Closing summary: [reason in the customer's words]; offers discussed and the answers; CSM outcome; cancellation effective [date]; confirmed by [channel]; feedback [summary].",
    },
  ],
  reasons: [
    { code: "too_expensive", label: "It's too expensive", requiresDetails: false },
    { code: "missing_features", label: "Some features are missing", requiresDetails: false },
    {
      code: "switched_service",
      label: "We're switching to another service",
      requiresDetails: false,
    },
    { code: "unused", label: "We don't use it enough", requiresDetails: false },
    {
      code: "customer_service",
      label: "Customer service was less than expected",
      requiresDetails: false,
    },
    { code: "too_complex", label: "Ease of use was less than expected", requiresDetails: false },
    { code: "low_quality", label: "Quality was less than expected", requiresDetails: false },
    { code: "hiring_freeze", label: "We've paused hiring", requiresDetails: false },
    {
      code: "seasonal_hiring",
      label: "We only hire at certain times of the year",
      requiresDetails: false,
    },
    {
      code: "roles_filled",
      label: "We've filled the roles we were hiring for",
      requiresDetails: false,
    },
    {
      code: "hired_in_house",
      label: "We're moving recruiting in-house or to an agency",
      requiresDetails: false,
    },
    {
      code: "ats_consolidation",
      label: "We're consolidating onto another ATS or HR suite",
      requiresDetails: false,
    },
    { code: "budget_cut", label: "Our budget was cut", requiresDetails: false },
    {
      code: "business_closing",
      label: "Our business is closing or restructuring",
      requiresDetails: false,
    },
    { code: "other", label: "Other reason", requiresDetails: true },
  ],
  offers: [
    {
      code: "discount_20_3m",
      kind: "discount",
      label: "20% off for 3 months",
      description: "Your next three monthly invoices are 20% lower; nothing else changes.",
      parameters: { percentOff: 20, months: 3 },
      eligibility: {
        planCodes: ["starter", "growth", "scale", "enterprise"],
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["too_expensive", "budget_cut", "hiring_freeze", "unused"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "discount_30_6m",
      kind: "discount",
      label: "30% off for 6 months",
      description:
        "Your next six monthly invoices are 30% lower, for larger teams under budget pressure.",
      parameters: { percentOff: 30, months: 6 },
      eligibility: {
        planCodes: ["scale", "enterprise"],
        minMonthlyValueMinor: 100_000,
        maxMonthlyValueMinor: null,
        reasonCodes: ["too_expensive", "budget_cut", "hiring_freeze", "switched_service"],
      },
      presentableBy: ["csm"],
    },
    {
      code: "pause_3m",
      kind: "pause",
      label: "Pause for up to 3 months",
      description:
        "We pause billing for up to three months and keep your jobs, candidates and settings exactly as they are, ready for when hiring picks up.",
      parameters: { pauseMonths: 3 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["hiring_freeze", "seasonal_hiring", "roles_filled", "unused", "budget_cut"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "downgrade_starter",
      kind: "downgrade",
      label: "Move to the Starter plan",
      description:
        "Keep your job board, pipeline and candidate database on the lower-priced Starter plan.",
      parameters: { toPlanCode: "starter" },
      eligibility: {
        planCodes: ["growth", "scale"],
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["too_expensive", "budget_cut", "unused", "too_complex", "roles_filled"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "extension_30d",
      kind: "extension",
      label: "30 extra days, on us",
      description:
        "Thirty days added to your current term at no charge, so you can see the improvements we're shipping before you decide.",
      parameters: { extensionDays: 30 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["missing_features", "low_quality", "customer_service", "switched_service"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "training_session",
      kind: "training",
      label: "Free training session",
      description:
        "A one-hour session with a WootRecruit product specialist, tailored to your team's hiring workflow.",
      parameters: { sessions: 1 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["too_complex", "unused", "missing_features", "low_quality"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "priority_support_60d",
      kind: "support",
      label: "Priority support for 60 days",
      description:
        "Sixty days of priority support with a named contact and a four-hour response target.",
      parameters: { days: 60 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["customer_service", "low_quality", "too_complex"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "custom_csm",
      kind: "custom",
      label: "Custom offer",
      description: "Terms agreed with your Customer Success Manager for your team's situation.",
      parameters: {},
      eligibility: {
        planCodes: ["growth", "scale", "enterprise"],
        minMonthlyValueMinor: 30_000,
        maxMonthlyValueMinor: null,
        reasonCodes: null,
      },
      presentableBy: ["csm"],
    },
  ],
  identity: {
    codeLength: 6,
    codeLifetimeMinutes: 15,
    attemptLimit: 3,
    maxCodesSent: 5,
    methods: ["code", "security_check", "self_service"],
  },
  form: { detailsMaxLength: 2000 },
  slas: {
    csmEngagementDueHours: 24,
    csmEngagementAtRiskHours: 4,
    formLinkExpiryHours: 72,
    formReminderHours: 24,
    offerAnswerExpiryHours: 72,
    feedbackExpiryDays: 14,
    // WootRecruit sells to businesses; an admin can turn this on where click-to-cancel rules apply.
    csmStepTimeBox: false,
  },
};
