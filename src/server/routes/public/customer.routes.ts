// The customer's side, without an account: the self-service start, and the actions behind the
// signed links we send (the Cancellation Request Form, offer answers, the feedback survey).
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import {
  answerOfferByLink,
  confirmIdentityCodeAsCustomer,
  startSelfService,
  submitFeedbackByLink,
  submitFormByLink,
  verifySelfService,
  viewLink,
} from "../../../app/customer-actions.ts";
import type { AnswerKeeper, CommandResult } from "../../../app/run-case-command.ts";
import { getSettings } from "../../../app/settings.ts";
import { CONFIRMATION_CHANNELS, EFFECTIVE_CHOICES } from "../../../domain/case.ts";
import { AppError } from "../../../domain/errors.ts";
import { POLICY_CODE_MAX_LENGTH } from "../../../domain/policy-definition.ts";
import { PUBLIC } from "../../plugins/auth.ts";
import { runKeepingAnswer } from "../../plugins/idempotency.ts";
import { offerEffectJson } from "../cases/offer-options.routes.ts";
import { errorResponses } from "../common.ts";
import { runningDiscountJson } from "../subscriptions/subscription.routes.ts";

const tokenParams = z.object({ token: z.string().min(10).max(200) });
/** Public endpoints are the internet's: a tighter rate per address than staff routes. */
const PUBLIC_LIMIT = { max: 30, timeWindow: "1 minute" };
const email = z
  .string()
  .trim()
  .toLowerCase()
  // RFC 5321's limit for a deliverable address.
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be an email address" }));

const linkViewJson = z
  .object({
    purpose: z.enum(["form", "offer", "feedback"]),
    reference: z.string(),
    expiresAt: z.string(),
    companyName: z.string(),
    reasons: z.array(
      z.object({ code: z.string(), label: z.string(), requiresDetails: z.boolean() }),
    ),
    effectiveChoices: z.array(z.string()),
    confirmationChannels: z.array(z.string()),
    detailsMaxLength: z.number(),
    subscription: z
      .object({
        accountName: z.string(),
        planName: z.string().nullable(),
        seats: z.number(),
        monthlyValueMinor: z.number(),
        currency: z.string(),
        currentPeriodEnd: z.string().describe("when the current billing period ends (end of term)"),
      })
      .describe("what the request is about: the subscription the customer is cancelling"),
    offer: z
      .object({
        code: z.string(),
        label: z.string(),
        description: z
          .string()
          .describe("the offer's terms as presented: a custom offer's own, else the catalog's"),
        effect: offerEffectJson,
        replacesDiscount: runningDiscountJson
          .nullable()
          .describe(
            "for a discount offer: the discount running on the subscription now, which accepting this one replaces (the two do not add up); null otherwise",
          ),
      })
      .nullable(),
  })
  .meta({ id: "CustomerLink" });

const doneJson = z.object({
  reference: z.string(),
  state: z.string(),
  outcome: z.string().nullable(),
});

export function customerRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const config = { access: PUBLIC, rateLimit: PUBLIC_LIMIT };

    app.post("/api/public/self-service/start", {
      config,
      schema: {
        tags: ["customer"],
        summary:
          "I want to cancel: send a code to this work email if it belongs to an authorised contact",
        body: z.object({ email }),
        response: { 202: z.object({ message: z.string() }), ...errorResponses },
      },
      handler: async (request, reply) => {
        await startSelfService(ctx, request.body.email);
        return reply.status(202).send({
          message:
            "If this email belongs to someone who can cancel the subscription, a code is on its way to it. Asked more than once? Only the newest code works.",
        });
      },
    });

    app.post("/api/public/self-service/verify", {
      config: {
        ...config,
        // The answer holds the form link's token, which is a key to the case.
        idempotency: {
          secretAnswer:
            "Your cancellation request is open, and the link to its form was sent to your email address.",
        },
      },
      schema: {
        tags: ["customer"],
        summary: "Enter the code: opens the cancellation request and returns the form link's token",
        body: z.object({
          email,
          code: z
            .string()
            .trim()
            .regex(/^\d{4,10}$/, "must be the digits of the code"),
        }),
        response: {
          201: z.object({ reference: z.string(), formToken: z.string() }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        // The route's answer is withheld from repeats (see its config), so no body is rendered.
        const { result } = await runKeepingAnswer(
          request,
          201,
          () => null,
          (keepAnswer) => verifySelfService(ctx, request.body, keepAnswer),
        );
        const { case: opened, formToken } = result;
        return reply.status(201).send({ reference: opened.reference, formToken });
      },
    });

    app.post("/api/public/identity/confirm-code", {
      config,
      schema: {
        tags: ["customer"],
        summary:
          "Identity code entry: the customer types the case reference and the code we sent them (step 1)",
        description:
          "Runs the policy's code check as the requester: a wrong code counts towards the attempt limit, as one read back to the account manager does. Only a caller who also gives the email address or phone number the code was sent to can spend attempts. Any failure gets the same 400 naming `code`.",
        body: z.object({
          reference: z
            .string()
            .trim()
            .toUpperCase()
            .regex(/^CD-\d{4}-\d{5,}$/, "must be a case reference like CD-2026-00042"),
          contact: z
            .string()
            .trim()
            .min(3, "must be the email address or phone number the code was sent to")
            .max(254)
            .describe("the email address or phone number the code was sent to"),
          code: z
            .string()
            .trim()
            .regex(/^\d{4,10}$/, "must be the digits of the code"),
        }),
        response: { 200: z.object({ reference: z.string() }), ...errorResponses },
      },
      handler: async (request) => confirmIdentityCodeAsCustomer(ctx, request.body),
    });

    app.get("/api/public/links/:token", {
      config,
      schema: {
        tags: ["customer"],
        summary: "What a customer link is for",
        params: tokenParams,
        response: { 200: linkViewJson, ...errorResponses },
      },
      handler: async (request) => {
        const link = await viewLink(ctx, request.params.token);
        return {
          purpose: link.purpose,
          reference: link.case.reference,
          expiresAt: link.expiresAt.toISOString(),
          companyName: (await getSettings(ctx.db)).companyName,
          reasons: link.policy.reasons.map((r) => ({
            code: r.code,
            label: r.label,
            requiresDetails: r.requiresDetails,
          })),
          effectiveChoices: [...EFFECTIVE_CHOICES],
          confirmationChannels: link.confirmationChannels,
          detailsMaxLength: link.policy.form.detailsMaxLength,
          subscription: {
            ...link.subscription,
            currentPeriodEnd: link.subscription.currentPeriodEnd.toISOString(),
          },
          offer: link.offer
            ? {
                code: link.offer.code,
                label: link.offer.label,
                description: link.offer.terms,
                effect: link.offer.effect,
                replacesDiscount: link.offer.replacesDiscount && {
                  ...link.offer.replacesDiscount,
                  endsAt: link.offer.replacesDiscount.endsAt.toISOString(),
                },
              }
            : null,
        };
      },
    });

    const done = ({ case: c }: CommandResult) => ({
      reference: c.reference,
      state: c.state,
      outcome: c.outcome,
    });
    /** A link's command, its answer stored with its write for an Idempotency-Key. */
    const answerKept = async (
      request: FastifyRequest,
      run: (keepAnswer: AnswerKeeper | undefined) => Promise<CommandResult>,
    ) => {
      const { result, rendered } = await runKeepingAnswer(request, 200, done, run);
      return rendered ? (rendered.body as ReturnType<typeof done>) : done(result);
    };

    app.post("/api/public/links/:token/form", {
      config,
      schema: {
        tags: ["customer"],
        summary: "Submit the Cancellation Request Form",
        params: tokenParams,
        body: z.object({
          // An empty reason is the engine's to refuse, with the form's other problems in one answer
          // (a refusal here would hide them until the next submit).
          reasonCode: z.string().trim().max(POLICY_CODE_MAX_LENGTH),
          // The policy sets the limit (up to 20,000 characters) and the engine checks it.
          details: z.string().trim().max(20_000, "must be at most 20000 characters").default(""),
          requestedEffective: z.enum(EFFECTIVE_CHOICES),
          preferredConfirmationChannel: z.enum(CONFIRMATION_CHANNELS),
          authorityConfirmed: z.boolean(),
        }),
        response: { 200: doneJson, ...errorResponses },
      },
      handler: async (request) =>
        answerKept(request, (keepAnswer) =>
          asBodyFields(() => submitFormByLink(ctx, request.params.token, request.body, keepAnswer)),
        ),
    });

    app.post("/api/public/links/:token/offer", {
      config,
      schema: {
        tags: ["customer"],
        summary: "Accept or decline the offer",
        params: tokenParams,
        body: z.object({ answer: z.enum(["accepted", "declined"]) }),
        response: { 200: doneJson, ...errorResponses },
      },
      handler: async (request) =>
        answerKept(request, (keepAnswer) =>
          answerOfferByLink(ctx, request.params.token, request.body.answer, keepAnswer),
        ),
    });

    app.post("/api/public/links/:token/feedback", {
      config,
      schema: {
        tags: ["customer"],
        summary: "Answer the feedback survey",
        params: tokenParams,
        body: z.object({
          rating: z
            .number()
            .int("must be a whole number from 1 to 5")
            .min(1, "must be from 1 to 5")
            .max(5, "must be from 1 to 5"),
          decisionReason: z
            .string()
            .trim()
            .min(1, "choose what led to the decision")
            .max(POLICY_CODE_MAX_LENGTH),
          comments: z.string().trim().max(5000, "must be at most 5000 characters").default(""),
        }),
        response: { 200: doneJson, ...errorResponses },
      },
      handler: async (request) =>
        answerKept(request, (keepAnswer) =>
          asBodyFields(() =>
            submitFeedbackByLink(ctx, request.params.token, request.body, keepAnswer),
          ),
        ),
    });
  };
}

/**
 * The engine names the answers as parts of its command (`submission.details`); the body has
 * them at its top level, so the customer's client sees the names it sent (`details`).
 */
async function asBodyFields<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof AppError) || !error.fields) throw error;
    const bodyName = (field: string) => field.replace(/^submission\./, "");
    throw new AppError(error.kind, error.message.replaceAll("submission.", ""), {
      code: error.code,
      fields: error.fields.map((f) => ({ ...f, field: bodyName(f.field) })),
      ...(error.details ? { details: error.details } : {}),
    });
  }
}
