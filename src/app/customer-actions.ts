// What customers do through their links and the self-service start page. Every link is signed,
// single-use, expiring and reaches only its own case; the command runs as the requester.
import { randomUUID } from "node:crypto";
import { readCaseSnapshot } from "../db/repositories/case-snapshot.repository.ts";
import {
  type CustomerLink,
  countRecentIdentityCodes,
  findCustomerLink,
  findLiveIdentityCode,
  insertIdentityCode,
  recordIdentityCodeAttempt,
} from "../db/repositories/customer-links.repository.ts";
import { enqueueMessages } from "../db/repositories/outbox.repository.ts";
import { findPlanById } from "../db/repositories/plans.repository.ts";
import type { Case, ConfirmationChannel } from "../domain/case.ts";
import type { FormSubmissionInput } from "../domain/commands.ts";
import { reachableConfirmationChannels } from "../domain/context.ts";
import { mayRequestCancellation } from "../domain/customer.ts";
import { AppError } from "../domain/errors.ts";
import {
  computeOfferEffectOn,
  discountReplacedBy,
  type OfferEffect,
  type RunningDiscount,
  runningDiscountOf,
} from "../domain/offers.ts";
import {
  allowsIdentityMethod,
  findOffer,
  type PolicyDefinition,
} from "../domain/policy-definition.ts";
import { formLinkExpiresAt, identityCodeExpiresAt } from "../domain/sla.ts";
import { factsOfSnapshot, getCurrentPolicy } from "./case-facts.ts";
import type { Db, Trx } from "./context.ts";
import {
  identityCode,
  identityCodeHash,
  isSignedLinkToken,
  linkToken,
  linkTokenHash,
  newNonce,
} from "./customer-secrets.ts";
import {
  type AnswerKeeper,
  type CaseServices,
  type CommandOptions,
  type CommandResult,
  openCase,
  runCaseCommand,
} from "./run-case-command.ts";
import { safeEqual } from "./secrets.ts";

function linkGone(code: string, message: string): AppError {
  return new AppError("CONFLICT", message, { code });
}

/** Finds the link of a token and checks it may still be used. */
async function openLink(services: CaseServices, db: Trx | CaseServices["db"], token: string) {
  if (!isSignedLinkToken(services.sessionSecret, token)) {
    throw new AppError(
      "NOT_FOUND",
      "This link is not valid. Check that you copied the whole link, or ask us for a new one.",
      { code: "LINK_INVALID" },
    );
  }
  const link = await findCustomerLink(db, linkTokenHash(token));
  if (!link?.caseId)
    throw new AppError("NOT_FOUND", "This link is not valid. Ask us for a new one.", {
      code: "LINK_INVALID",
    });
  const now = services.now();
  if (link.usedAt)
    throw linkGone(
      "LINK_USED",
      "This link has already been used. If you need to change your answer, reply to our message and we will help.",
    );
  if (link.supersededAt)
    throw linkGone(
      "LINK_SUPERSEDED",
      "A newer link was sent to you: please use the most recent message from us.",
    );
  if (link.expiresAt <= now)
    throw linkGone(
      "LINK_EXPIRED",
      "This link has expired. Reply to our message or contact your account manager and we will send you a new one.",
    );
  return link as CustomerLink & { caseId: string };
}

/** An offer as it was presented to the customer, and what it does to their monthly price. */
export interface LinkOffer {
  code: string;
  label: string;
  /** The custom offer's written terms, else the catalog's description. */
  terms: string;
  effect: OfferEffect;
  /** The discount running on the subscription that accepting this offer replaces; null if none. */
  replacesDiscount: RunningDiscount | null;
}

export interface LinkView {
  purpose: "form" | "offer" | "feedback";
  offer: LinkOffer | null;
  expiresAt: Date;
  case: Case;
  policy: PolicyDefinition;
  /** The confirmation channels the form may offer: those the requester can be reached on. */
  confirmationChannels: ConfirmationChannel[];
  /** What the request is about, so the customer sees what they are cancelling and when. */
  subscription: {
    accountName: string;
    planName: string | null;
    seats: number;
    monthlyValueMinor: number;
    currency: string;
    currentPeriodEnd: Date;
  };
}

/** What a customer's page needs to show for a link, without using it up. */
export async function viewLink(services: CaseServices, token: string): Promise<LinkView> {
  const link = await openLink(services, services.db, token);
  const snapshot = (await readCaseSnapshot(services.db, link.caseId))!;
  const [{ context }, plan] = await Promise.all([
    factsOfSnapshot(services.db, snapshot),
    findPlanById(services.db, snapshot.subscription.planId),
  ]);
  const c = snapshot.case;
  const [purpose, offerCode] = link.purpose.split(":") as [
    "form" | "offer" | "feedback",
    string | undefined,
  ];
  const offer = offerCode ? findOffer(context.policy, offerCode) : undefined;
  // The latest presentation is the one this link was sent for (a new one replaces the link).
  const presented = c.offers.findLast((o) => o.offerCode === offerCode);
  return {
    purpose,
    offer: offer
      ? {
          code: offer.code,
          label: presented?.label ?? offer.label,
          terms: presented?.customTerms ?? offer.description,
          effect: computeOfferEffectOn(offer, context.subscription),
          // The snapshot holds the subscription's discount already: no further read.
          replacesDiscount: discountReplacedBy(
            offer,
            runningDiscountOf(snapshot.subscription, services.now()),
          ),
        }
      : null,
    expiresAt: link.expiresAt,
    case: c,
    policy: context.policy,
    confirmationChannels: reachableConfirmationChannels(context.requester),
    subscription: {
      accountName: snapshot.account.name,
      planName: plan?.name ?? null,
      seats: snapshot.subscription.seats,
      monthlyValueMinor: snapshot.subscription.monthlyValueMinor,
      currency: snapshot.subscription.currency,
      currentPeriodEnd: snapshot.subscription.currentPeriodEnd,
    },
  };
}

/**
 * Runs a customer's command through their link and uses the link up, in the command's one write:
 * the write lands only while the link is still unused, so two submissions racing with one link
 * cannot both count (the loser reads the link again and is told it was used).
 */
async function consumeLink(
  services: CaseServices,
  token: string,
  purpose: "form" | "feedback" | "offer",
  run: (link: CustomerLink & { caseId: string }, options: CommandOptions) => Promise<CommandResult>,
  keepAnswer: AnswerKeeper | undefined,
): Promise<CommandResult> {
  const checked = async (db: Db) => {
    const link = await openLink(services, db, token);
    if (link.purpose.split(":")[0] !== purpose) {
      throw new AppError(
        "NOT_FOUND",
        "This link is for something else. Use the link from the matching message.",
        { code: "LINK_INVALID" },
      );
    }
    return link;
  };
  const link = await checked(services.db);
  return run(link, {
    keepAnswer,
    useLink: {
      tokenHash: link.tokenHash,
      recheck: async (db) => void (await checked(db)),
    },
  });
}

export function submitFormByLink(
  services: CaseServices,
  token: string,
  submission: FormSubmissionInput,
  keepAnswer?: AnswerKeeper,
) {
  return consumeLink(
    services,
    token,
    "form",
    (link, options) =>
      runCaseCommand(
        services,
        link.caseId,
        (_c, _f, now) => ({
          kind: "submitForm",
          submission,
          actor: { kind: "customer", contactId: link.contactId },
          now,
        }),
        options,
      ),
    keepAnswer,
  );
}

export function answerOfferByLink(
  services: CaseServices,
  token: string,
  answer: "accepted" | "declined",
  keepAnswer?: AnswerKeeper,
) {
  return consumeLink(
    services,
    token,
    "offer",
    (link, options) =>
      runCaseCommand(
        services,
        link.caseId,
        (_c, _f, now) => ({
          kind: "answerOffer",
          offerCode: link.purpose.slice("offer:".length),
          answer,
          actor: { kind: "customer", contactId: link.contactId },
          now,
        }),
        options,
      ),
    keepAnswer,
  );
}

export function submitFeedbackByLink(
  services: CaseServices,
  token: string,
  feedback: { rating: number; decisionReason: string; comments: string },
  keepAnswer?: AnswerKeeper,
) {
  return consumeLink(
    services,
    token,
    "feedback",
    (link, options) =>
      runCaseCommand(
        services,
        link.caseId,
        (_c, _f, now) => ({
          kind: "submitFeedback",
          ...feedback,
          actor: { kind: "customer", contactId: link.contactId },
          now,
        }),
        options,
      ),
    keepAnswer,
  );
}

/** Thrown by the code entry page's guard: the answer is the same as for a wrong code. */
class NotProvenByCode extends Error {}

/**
 * The customer types the code of a staff-opened case on the code entry page, with the case
 * reference from the same message. It runs the engine's confirmIdentityCode as the requester,
 * so a wrong code counts towards the policy's attempt limit exactly as one read back to the AM.
 * Every failure (unknown reference, no live code, wrong or expired code, a case past step 1)
 * gets the same answer, so the page tells nothing about a reference the code does not prove.
 */
export async function confirmIdentityCodeAsCustomer(
  services: CaseServices,
  input: { reference: string; contact: string; code: string },
): Promise<{ reference: string }> {
  let verified: Case | undefined;
  try {
    const result = await runCaseCommand(
      services,
      input.reference,
      (current, _f, now, checks) => ({
        kind: "confirmIdentityCode",
        codeMatches: checks.identityCodeMatches,
        actor: { kind: "customer", contactId: current.requesterContactId },
        now,
      }),
      {
        identityCode: input.code,
        guard: (current, facts) => {
          if (current.state !== "intake" || current.identity.codeExpiresAt === null) {
            throw new NotProvenByCode();
          }
          // References are sequential, so a stranger could guess one: only someone who also
          // knows where the code was sent may spend the case's attempts (else anyone could close
          // it unverified).
          if (!isContactDetailOf(facts.requester, input.contact)) throw new NotProvenByCode();
        },
      },
    );
    // Only a matching code verifies: a wrong one is written as a failed attempt.
    if (result.events.some((e) => e.type === "identity_verified")) verified = result.case;
  } catch (error) {
    // A refusal (the code expired, the case moved on) is decided before the case is written;
    // runCaseCommand still counts the attempt against a live code.
    const refused =
      error instanceof NotProvenByCode ||
      (error instanceof AppError && (error.kind === "POLICY_RULE" || error.kind === "NOT_FOUND"));
    if (!refused) throw error;
  }
  if (!verified) {
    throw new AppError(
      "VALIDATION_FAILED",
      "code: this code is not right for this reference, or it has expired",
      {
        fields: [
          {
            field: "code",
            message:
              "is not right for this case reference, or has expired: check both, or ask the person you are speaking with for a new code",
          },
        ],
      },
    );
  }
  return { reference: verified.reference };
}

/**
 * The email address (any case) or phone number on file for the contact. Numbers are stored in
 * international form (+61 491 570 158) and people type them the way they dial at home (0491 570
 * 158), so a number matches on its digits without the country code and the trunk zero: at least
 * eight of them, the end of the number on file.
 */
function isContactDetailOf(
  contact: { email: string | null; phone: string | null },
  given: string,
): boolean {
  const text = given.trim();
  if (contact.email && text.toLowerCase() === contact.email.toLowerCase()) return true;
  if (!contact.phone || /[^\d\s()+.-]/.test(text)) return false;
  const onFile = contact.phone.replace(/\D/g, "");
  const digits = text.replace(/\D/g, "");
  if (digits === onFile && digits.length >= 6) return true;
  const national = text.startsWith("+") ? "" : digits.replace(/^0+/, "");
  return national.length >= 8 && onFile.endsWith(national);
}

/** Self-service codes a contact may ask for per hour: enough for mistakes, not for abuse. */
const SELF_SERVICE_CODES_PER_HOUR = 5;

/**
 * Step one of the self-service start: if the email belongs to a contact who may cancel, send a
 * code to it; if it belongs to a contact who may not, tell them by email who can (at most once in
 * each clock hour). The answer is the same either way, so the page does not reveal who is a customer:
 * only the address's own mailbox learns what happened.
 */
export async function startSelfService(services: CaseServices, email: string): Promise<void> {
  await services.db.transaction().execute(async (trx) => {
    const policy = (await getCurrentPolicy(trx)).definition;
    // Asked before the address is looked up: the answer is the same for everyone.
    if (!allowsIdentityMethod(policy, "self_service")) {
      throw new AppError(
        "POLICY_RULE",
        "Cancelling on this page is not offered at the moment: please contact your account manager, who will help you.",
        { code: "IDENTITY_METHOD_NOT_ALLOWED" },
      );
    }
    const contact = await findAuthorisedContactByEmail(trx, email);
    const now = services.now();
    if (!contact) {
      await explainWhoMayCancel(trx, email, now);
      return;
    }
    if (
      (await countRecentIdentityCodes(trx, contact.id, new Date(now.getTime() - 3_600_000))) >=
      SELF_SERVICE_CODES_PER_HOUR
    )
      return;
    const nonce = newNonce();
    const codeId = randomUUID();
    const code = identityCode(services.sessionSecret, nonce, policy.identity.codeLength);
    const expiresAt = identityCodeExpiresAt(policy, now);
    await insertIdentityCode(
      trx,
      {
        id: codeId,
        caseId: null,
        contactId: contact.id,
        codeHash: identityCodeHash(services.sessionSecret, codeId, code),
        expiresAt,
      },
      now,
    );
    await enqueueMessages(
      trx,
      [
        {
          caseId: null,
          topic: "identity_code",
          channel: "email",
          recipient: { contactId: contact.id, name: contact.name, email: contact.email },
          payload: {
            kind: "identity_code",
            channel: "email",
            expiresAt: expiresAt.toISOString(),
            codeNonce: nonce,
            codeId,
            codeLength: String(policy.identity.codeLength),
            selfService: true,
          },
          dedupeKey: `self-service:${codeId}`,
        },
      ],
      now,
    );
  });
}

/**
 * A colleague who may not cancel (the policy: the owner, or a contact authorised to) is told so,
 * and by whom it can be done, instead of waiting for a code that never comes. One email per
 * contact per clock hour (its dedupe key), so the page cannot be used to flood a mailbox.
 */
async function explainWhoMayCancel(trx: Trx, email: string, now: Date): Promise<void> {
  const known = await trx
    .selectFrom("contacts")
    .select(["id", "account_id", "name", "email"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.trim().toLowerCase()))
    .orderBy("created_at")
    .orderBy("id")
    .executeTakeFirst();
  if (!known?.email) return;
  const hour = Math.floor(now.getTime() / 3_600_000);
  await enqueueMessages(
    trx,
    [
      {
        caseId: null,
        topic: "self_service_not_authorised",
        channel: "email",
        recipient: { contactId: known.id, name: known.name, email: known.email },
        payload: { kind: "self_service_not_authorised", accountId: known.account_id },
        dedupeKey: `self-service-not-authorised:${known.id}:${hour}`,
      },
    ],
    now,
  );
}

async function findAuthorisedContactByEmail(trx: Trx, email: string) {
  // One address may be on several accounts: the oldest contact that may cancel is the one both
  // steps (the code, then its check) find, whatever order the rows come back in.
  const contacts = await trx
    .selectFrom("contacts")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.trim().toLowerCase()))
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const contact = contacts.find((c) =>
    mayRequestCancellation({ role: c.role, authorisedToCancel: c.authorised_to_cancel }),
  );
  return (
    contact && {
      id: contact.id,
      accountId: contact.account_id,
      name: contact.name,
      email: contact.email,
    }
  );
}

/**
 * Step two: the code proves the email is theirs. The request is opened as a case (channel
 * portal), verified as a self-service start, and the form link is issued at once; the page goes
 * straight to the form with the returned token.
 */
export async function verifySelfService(
  services: CaseServices,
  input: { email: string; code: string },
  keepAnswer?: AnswerKeeper,
): Promise<{ case: Case; formToken: string }> {
  const wrong = new AppError("VALIDATION_FAILED", "code: this code is not right or has expired", {
    fields: [{ field: "code", message: "is not right or has expired: ask for a new code" }],
  });
  // One transaction: a wrong code's attempt commits (so failed attempts count), while the right
  // code is used up only together with the case it opens. A case that cannot be opened (no active
  // subscription, one already open) leaves the code as it was, for when that is sorted out.
  // The contact the code was for, to tell them about a request already open.
  let found: { accountId: string } | undefined;
  const opened = await services.db
    .transaction()
    .execute(async (trx) => {
      const contact = await findAuthorisedContactByEmail(trx, input.email);
      found = contact;
      if (!contact) return undefined;
      const live = await findLiveIdentityCode(trx, { caseId: null, contactId: contact.id });
      const { attemptLimit } = (await getCurrentPolicy(trx)).definition.identity;
      // A code that has been guessed at too often is dead: the customer asks for a new one.
      if (!live || live.expires_at <= services.now() || live.attempts >= attemptLimit)
        return undefined;
      const matches = safeEqual(
        live.code_hash,
        identityCodeHash(services.sessionSecret, live.id, input.code),
      );
      if (!matches) {
        await recordIdentityCodeAttempt(trx, live.id, false, services.now());
        return undefined;
      }
      const result = await openSelfServiceCase(services, trx, contact, keepAnswer);
      await recordIdentityCodeAttempt(trx, live.id, true, services.now());
      return result;
    })
    .catch(async (error: unknown) => {
      // The customer has proven who they are: tell them where their request stands, in their words
      // rather than the desk's ("work on that case instead").
      if (error instanceof AppError && error.code === "CASE_ALREADY_OPEN") {
        throw await requestAlreadyOpen(services.db, found?.accountId);
      }
      throw error;
    });
  if (!opened) throw wrong;
  return opened;
}

/** A customer's second request while their first is open: its reference, and who has it. */
async function requestAlreadyOpen(db: Db, accountId: string | undefined): Promise<AppError> {
  const open = accountId
    ? await db
        .selectFrom("cases")
        .leftJoin("users", "users.id", "cases.assigned_am_id")
        .select(["cases.reference", "users.name as amName"])
        .where("cases.account_id", "=", accountId)
        .where("cases.closed_at", "is", null)
        .orderBy("cases.opened_at", "desc")
        .executeTakeFirst()
    : undefined;
  const who = open?.amName ? `Your account manager, ${open.amName}, is` : "We are";
  return new AppError(
    "CONFLICT",
    `You already have a cancellation request in progress${open ? ` (${open.reference})` : ""}. ${who} looking after it: use the links in the messages we sent you, or reply to one of them.`,
    { code: "REQUEST_ALREADY_OPEN", ...(open ? { details: { reference: open.reference } } : {}) },
  );
}

/** The verified customer's request as a case on the portal, with the form link issued at once. */
async function openSelfServiceCase(
  services: CaseServices,
  trx: Trx,
  contact: { id: string; accountId: string },
  keepAnswer: AnswerKeeper | undefined,
): Promise<{ case: Case; formToken: string }> {
  const subscription = await trx
    .selectFrom("subscriptions")
    .select("id")
    .where("account_id", "=", contact.accountId)
    .where("status", "in", ["active", "paused"])
    .orderBy("monthly_value_minor", "desc")
    .executeTakeFirst();
  if (!subscription) {
    throw new AppError(
      "CONFLICT",
      "We found no active subscription on your account to cancel. If you think that is wrong, write to your account manager.",
      { code: "NO_ACTIVE_SUBSCRIPTION" },
    );
  }
  const customer = { kind: "customer" as const, contactId: contact.id };
  const opened = await openCase(
    services,
    customer,
    {
      accountId: contact.accountId,
      subscriptionId: subscription.id,
      requesterContactId: contact.id,
      channel: "portal",
      summary: "Started on the self-service page",
    },
    // The answer (withheld: it holds the form link) commits with the case and the used code.
    { trx, keepAnswer },
  );
  await runCaseCommand(
    services,
    opened.case.id,
    (_c, _f, now) => ({ kind: "verifySelfService", actor: customer, now }),
    { trx },
  );
  const sent = await runCaseCommand(
    services,
    opened.case.id,
    (_c, facts, now) => ({
      kind: "sendForm",
      linkExpiresAt: formLinkExpiresAt(facts.context.policy, now),
      actor: { kind: "system" },
      now,
    }),
    { trx },
  );
  const message = await trx
    .selectFrom("outbox")
    .select("payload")
    .where("case_id", "=", opened.case.id)
    .where("topic", "=", "form_link")
    .orderBy("created_at", "desc")
    .executeTakeFirstOrThrow();
  const nonce = (message.payload as { linkNonce: string }).linkNonce;
  return { case: sent.case, formToken: linkToken(services.sessionSecret, nonce) };
}
