// PostgreSQL error codes that mean "the user asked for something that conflicts", recognised the
// same way on PGlite and on the server (both raise errors carrying SQLSTATE in `code`).
interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

export function isUniqueViolation(error: unknown): error is PgError {
  return (error as PgError)?.code === "23505";
}

export function isForeignKeyViolation(error: unknown): error is PgError {
  return (error as PgError)?.code === "23503";
}

export function isSerializationFailure(error: unknown): boolean {
  const code = (error as PgError)?.code;
  return code === "40001" || code === "40P01";
}

/**
 * The database cannot be reached or went away (refused, reset, timed out, shutting down): the
 * request may succeed in a moment, so it is a 503, not a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  const code = e?.code ?? "";
  if (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"].includes(code)
  )
    return true;
  // SQLSTATE class 08 (connection exception), and the server shutting down or starting up.
  if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03")
    return true;
  const message = e?.message ?? "";
  return (
    message.includes("timeout exceeded when trying to connect") ||
    message.includes("Connection terminated unexpectedly") ||
    message.includes("Client has encountered a connection error")
  );
}

/**
 * PostgreSQL's answers about the connection itself: no such database (3D000), a role or password
 * it refuses (28xxx), a connection it cannot make (08xxx).
 */
export function isDatabaseSetupError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    error instanceof Error &&
    typeof code === "string" &&
    (code === "3D000" || code.startsWith("28") || code.startsWith("08"))
  );
}
