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
