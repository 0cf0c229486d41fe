// The SMS provider reports delivery here. No staff session: the request is authenticated by an
// HMAC of its raw body (`CancelDesk-Signature: t=...,v1=...`, the same scheme as our webhooks)
// with SMS_CALLBACK_SECRET, and refused when it is missing, wrong or older than five minutes.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { recordSmsStatus } from "../../../db/repositories/outbox-delivery.repository.ts";
import { AppError, notFound } from "../../../domain/errors.ts";
import { verifySignature } from "../../../integrations/webhooks/webhook-signature.ts";
import { PUBLIC } from "../../plugins/auth.ts";
import { errorResponses } from "../common.ts";

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: string;
  }
}

// Loose: a provider (or a relay in front of it) may add fields of its own, and refusing them
// would silently stop recording delivery statuses.
const statusBody = z.looseObject({
  messageId: z.string().min(1).max(200).describe("the provider's id, as answered when sending"),
  status: z.enum(["sent", "delivered", "failed"]),
  error: z.string().max(1000).nullable().optional(),
});

export function smsStatusRoutes(ctx: AppContext, options: { callbackSecret: string | undefined }) {
  return async (fastify: FastifyInstance) => {
    // The signature covers the bytes as sent, so this plugin keeps the raw body beside the parse.
    fastify.removeContentTypeParser("application/json");
    fastify.addContentTypeParser(
      "application/json",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (request, body, done) => {
        request.rawBody = body as string;
        try {
          done(null, body === "" ? {} : JSON.parse(body as string));
        } catch {
          done(new AppError("VALIDATION_FAILED", "body: is not valid JSON"), undefined);
        }
      },
    );
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.post("/api/integrations/sms/status", {
      config: { access: PUBLIC },
      schema: {
        tags: ["integrations"],
        summary: "Delivery status callback of the SMS provider (HMAC-signed)",
        body: statusBody,
        response: { 204: z.null(), ...errorResponses },
      },
      // Authenticate before the body is validated, so an unsigned caller learns nothing.
      preValidation: async (request) => {
        const header = request.headers["canceldesk-signature"];
        const signed =
          options.callbackSecret !== undefined &&
          verifySignature(
            options.callbackSecret,
            typeof header === "string" ? header : undefined,
            request.rawBody ?? "",
            Math.floor(ctx.now().getTime() / 1000),
          );
        if (!signed) {
          throw new AppError(
            "UNAUTHENTICATED",
            "The callback's CancelDesk-Signature is missing, wrong or too old.",
          );
        }
      },
      handler: async (request, reply) => {
        const { messageId, status, error } = request.body;
        if (!(await recordSmsStatus(ctx.db, messageId, status, error ?? null, ctx.now()))) {
          throw notFound("SMS message", messageId);
        }
        return reply.status(204).send(null);
      },
    });
  };
}
