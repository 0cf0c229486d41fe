// What the server writes to its log about a request. Customer links carry their token in the
// path (`/api/public/links/<token>`, `/c/<token>`), and a token in a log is a key to the
// customer's case for whoever reads the log: paths are logged with it masked. Sessions and API
// keys travel in headers, which are never logged whole.
import type { FastifyRequest, FastifyServerOptions } from "fastify";
import { withoutAddresses } from "../integrations/delivery-errors.ts";

// A database error carries the statement and the values sent with it (PGlite: query, params;
// PostgreSQL: detail, where), and its message quotes the value it choked on: the case document,
// the customer's answers, the outbox's nonces. Errors are logged with these fields only, and a
// database error's quoted values are masked.
const LOGGED_ERROR_FIELDS = [
  "kind",
  "code",
  "statusCode",
  "severity",
  "routine",
  "schema",
  "table",
  "column",
  "constraint",
] as const;
const QUOTED = /"[^"]*"|'[^']*'/g;

/** What the log keeps of an error: its kind, message, stack and codes, never data. */
export interface LoggedError {
  [field: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function logSafeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: "" };
  const fields = error as unknown as Record<string, unknown>;
  const fromDatabase = typeof fields.severity === "string";
  const mask = (text: string) =>
    withoutAddresses(fromDatabase ? text.replace(QUOTED, '"[value]"') : text);
  const logged: LoggedError = {
    type: error.constructor?.name ?? error.name,
    message: mask(error.message),
    stack: mask(error.stack ?? ""),
  };
  for (const field of LOGGED_ERROR_FIELDS) {
    const value = fields[field];
    if (typeof value === "string" || typeof value === "number") logged[field] = value;
  }
  if (error.cause !== undefined && depth < 3) logged.cause = logSafeError(error.cause, depth + 1);
  return logged;
}

const TOKEN_IN_PATH = /^(\/api\/public\/links\/|\/c\/)[^/?#]+/;

/** The URL with a customer link's token replaced by `[token]`. */
export function logSafeUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, "$1[token]");
}

export function loggerOptions(level: string): Exclude<FastifyServerOptions["logger"], boolean> {
  return {
    level,
    redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
    serializers: {
      err: (error: unknown) => logSafeError(error),
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: logSafeUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
      }),
    },
  };
}
