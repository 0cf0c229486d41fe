// Idempotency-Key on every write: a client that retries a POST/PATCH with the same key gets the
// first answer again instead of acting twice. Keys are scoped to the caller (user, API key or
// customer link), and the same key with a different request is refused.
//
// What is kept is kept for a day (the timers purge older keys), and holds no secret:
// - the request is kept as an HMAC under the server's secret, not a plain hash: a body may hold a
//   password (a user's, set by an admin) or a code, which a plain SHA-256 would let anyone who
//   reads the database guess back;
// - an answer that carries a secret shown once (an API key, a webhook signing secret, a customer's
//   form link) is not kept: a repeat is told the request was done and where to go instead;
// - sign-in takes no part: its body is a password and its answer a session cookie a replay could
//   not set again.
//
// A request that changes a case stores its answer in the case's own write (runKeepingAnswer),
// so the answer exists exactly when the change does. Other writes store it once answered; a crash
// between their commit and that store lets a retry after STALE_CLAIM_MS run them again.
import { createHash, createHmac } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../../app/context.ts";
import type { AnswerKeeper, CommandResult } from "../../app/run-case-command.ts";
import { IdempotencyClaimLost } from "../../db/repositories/case-writes.repository.ts";
import {
  claimIdempotencyKey,
  releaseIdempotencyKey,
  storeIdempotentResponse,
} from "../../db/repositories/idempotency.repository.ts";
import { AppError } from "../../domain/errors.ts";

export const IDEMPOTENCY_HEADER = "idempotency-key";
const KEY_PATTERN = /^[A-Za-z0-9._:-]{8,100}$/;
/** A claim whose request never finished (a crash) may be taken over after this long. */
const STALE_CLAIM_MS = 60_000;

/** How a route takes part; by default every write does, keeping its answer. */
export type IdempotencyRule =
  | { off: true }
  /** The answer holds a secret shown once: a repeat gets 409 with this sentence instead. */
  | { secretAnswer: string };

declare module "fastify" {
  interface FastifyRequest {
    idempotency:
      | {
          principal: string;
          key: string;
          /** This request's claim of the key (see claimIdempotencyKey). */
          token: string;
          withheld?: string;
          /** The write stored the answer itself (runKeepingAnswer). */
          answerStored?: boolean;
        }
      | undefined;
  }
  interface FastifyContextConfig {
    idempotency?: IdempotencyRule;
  }
}

/** The answer a repeat of a request whose answer held a secret gets. */
function withheldAnswer(sentence: string) {
  return {
    code: "IDEMPOTENT_ANSWER_WITHHELD",
    message: `This request was already carried out with this Idempotency-Key. ${sentence}`,
  };
}

function callerOf(request: FastifyRequest): string | undefined {
  const principal = request.principal;
  if (principal?.kind === "user") return `user:${principal.userId}`;
  if (principal?.kind === "api_key") return `api_key:${principal.apiKeyId}`;
  // Customer pages have no principal: the link token (hashed) scopes their keys.
  const token = (request.params as { token?: string } | undefined)?.token;
  return token ? `link:${createHash("sha256").update(token).digest("hex")}` : `ip:${request.ip}`;
}

export function registerIdempotency(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest("idempotency", undefined);

  app.addHook("preHandler", async (request, reply) => {
    if (
      request.method !== "POST" &&
      request.method !== "PATCH" &&
      request.method !== "PUT" &&
      request.method !== "DELETE"
    )
      return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return;
    const rule = request.routeOptions.config?.idempotency;
    if (rule && "off" in rule) return;
    if (typeof key !== "string" || !KEY_PATTERN.test(key)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `${IDEMPOTENCY_HEADER}: must be 8-100 letters, digits or . _ : -`,
        {
          fields: [
            { field: IDEMPOTENCY_HEADER, message: "must be 8-100 letters, digits or . _ : -" },
          ],
        },
      );
    }
    const principal = callerOf(request);
    if (!principal) return;
    const requestHash = createHmac("sha256", ctx.sessionSecret)
      .update(
        `idempotency:${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`,
      )
      .digest("hex");
    const claim = await claimIdempotencyKey(
      ctx.db,
      principal,
      key,
      requestHash,
      ctx.now(),
      new Date(ctx.now().getTime() - STALE_CLAIM_MS),
    );
    if (claim.kind === "replay") {
      reply.header("idempotent-replayed", "true");
      return reply.status(claim.statusCode).send(claim.response);
    }
    if (claim.kind === "mismatch") {
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used for a different request: use a new key.",
      );
    }
    if (claim.kind === "in_progress") {
      throw new AppError(
        "CONFLICT",
        "A request with this Idempotency-Key is still being processed: retry in a moment.",
      );
    }
    request.idempotency = {
      principal,
      key,
      token: claim.token,
      ...(rule && "secretAnswer" in rule ? { withheld: rule.secretAnswer } : {}),
    };
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (claim.answerStored) return payload;
    // A server error may have left nothing done: let a retry with the same key run again.
    if (reply.statusCode >= 500) {
      await releaseIdempotencyKey(ctx.db, claim);
      return payload;
    }
    if (claim.withheld !== undefined && reply.statusCode < 300) {
      await storeIdempotentResponse(ctx.db, claim, 409, withheldAnswer(claim.withheld));
      return payload;
    }
    let body: unknown = null;
    if (typeof payload === "string" && payload.length > 0) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    await storeIdempotentResponse(ctx.db, claim, reply.statusCode, body);
    return payload;
  });
}

/**
 * Runs a write on a case that stores the request's idempotent answer with the case itself (see
 * AnswerKeeper). `render` makes the answer from the command's result; what it made for the write
 * that landed comes back as `rendered`, to be sent as it was stored. Without a claim it just runs;
 * a withheld answer (one holding a secret) is stored as the 409 a repeat gets instead.
 */
export async function runKeepingAnswer<R>(
  request: FastifyRequest,
  statusCode: number,
  render: (result: CommandResult) => Promise<unknown> | unknown,
  run: (keepAnswer: AnswerKeeper | undefined) => Promise<R>,
): Promise<{ result: R; rendered: { body: unknown } | undefined }> {
  const claim = request.idempotency;
  if (!claim) return { result: await run(undefined), rendered: undefined };
  const { principal, key, token, withheld } = claim;
  let rendered: { body: unknown } | undefined;
  const keeper: AnswerKeeper = {
    claim: { principal, key, token },
    ...(withheld !== undefined
      ? { statusCode: 409, render: async () => withheldAnswer(withheld) }
      : {
          statusCode,
          render: async (result: CommandResult) => {
            rendered = { body: await render(result) };
            return rendered.body;
          },
        }),
  };
  let result: R;
  try {
    result = await run(keeper);
  } catch (error) {
    if (!(error instanceof IdempotencyClaimLost)) throw error;
    throw new AppError(
      "CONFLICT",
      "A retry of this request with the same Idempotency-Key took over while it was running, and nothing was done here: repeat the request to get that retry's answer.",
      { code: "IDEMPOTENCY_CLAIM_LOST" },
    );
  }
  claim.answerStored = true;
  return { result, rendered };
}
