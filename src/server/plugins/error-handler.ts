// The one table from error kinds to HTTP statuses, and the handler that turns every error into
// `{ code, message, fields? }`. A 500 never shows its internals: it is logged with the request id.
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isDatabaseUnavailable } from "../../db/db-errors.ts";
import { AppError, type ErrorCode } from "../../domain/errors.ts";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF_TOKEN_INVALID: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  CASE_CHANGED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  POLICY_RULE: 409,
  ACCOUNT_LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export interface ErrorBody {
  code: string;
  message: string;
  fields?: { field: string; message: string }[];
  details?: Record<string, unknown>;
}

function fromValidation(error: FastifyError): ErrorBody {
  const where = error.validationContext ?? "body";
  const fields = (error.validation ?? []).map((issue) => {
    const path = (issue as { instancePath?: string }).instancePath ?? "";
    const field = path.replace(/^\//, "").replaceAll("/", ".");
    return { field: field || where, message: issue.message ?? "is not valid" };
  });
  const first = fields[0];
  return {
    code: "VALIDATION_FAILED",
    message: first ? `${first.field}: ${first.message}` : "The request is not valid.",
    fields,
  };
}

function mebibytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      const status = HTTP_STATUS[error.kind];
      const body: ErrorBody = { code: error.code, message: error.message };
      if (error.fields) body.fields = error.fields;
      if (error.details) body.details = error.details;
      return reply.status(status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      return reply.status(400).send(fromValidation(error));
    }
    if (error.statusCode === 429) {
      return reply
        .status(429)
        .send({ code: "RATE_LIMITED", message: "Too many requests: wait a minute and try again." });
    }
    if (
      error.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
    ) {
      return reply.status(400).send({
        code: "VALIDATION_FAILED",
        message: "The body is not valid JSON.",
        fields: [{ field: "(body)", message: "is not valid JSON" }],
      });
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      // A route that reads something else than JSON (a CSV import) names it in its schema.
      const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)
        ?.consumes;
      return reply.status(415).send({
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: consumes?.length
          ? `Send the file with Content-Type: ${consumes.join(" or ")}.`
          : "Send JSON with Content-Type: application/json.",
      });
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const limit = request.routeOptions.bodyLimit;
      return reply.status(413).send({
        code: "BODY_TOO_LARGE",
        message: limit
          ? `The request body is too large: this request takes at most ${mebibytes(limit)}.`
          : "The request body is too large.",
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ code: "BAD_REQUEST", message: error.message });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, "the database is unavailable");
      return reply.status(503).header("retry-after", "5").send({
        code: "DATABASE_UNAVAILABLE",
        message: "The service cannot reach its database just now. Try again in a few seconds.",
      });
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.status(500).send({
      code: "INTERNAL",
      message: `Something went wrong on our side. Quote request id ${request.id} to support.`,
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      code: "NOT_FOUND",
      message: `No route ${request.method} ${request.url.split("?")[0]}.`,
    });
  });
}
