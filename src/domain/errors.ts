// The one error type of CancelDesk. Codes are a closed set; the HTTP edge maps each to a
// status in one table (src/server/plugins/error-handler.ts). Policy rule codes (refusals of
// the engine) are added by the policy engine as `PolicyRuleCode` and all map to 409.

export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "CSRF_TOKEN_INVALID",
  "INVALID_CREDENTIALS",
  "ACCOUNT_LOCKED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CONFLICT",
  "CASE_CHANGED",
  "IDEMPOTENCY_KEY_REUSED",
  "RATE_LIMITED",
  "POLICY_RULE",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level problem: which field (dotted path, e.g. `rows.3.email`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorCode;
  readonly fields: FieldProblem[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  /**
   * `kind` decides the HTTP status; `code` is what clients see. They are the same except for
   * policy refusals, whose kind is POLICY_RULE and whose code is the rule (e.g.
   * IDENTITY_NOT_VERIFIED).
   */
  constructor(
    kind: ErrorCode,
    message: string,
    options: { code?: string; fields?: FieldProblem[]; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.kind = kind;
    this.code = options.code ?? kind;
    this.fields = options.fields;
    this.details = options.details;
  }
}

export function validationError(fields: FieldProblem[], message?: string): AppError {
  const first = fields[0];
  return new AppError(
    "VALIDATION_FAILED",
    message ?? (first ? `${first.field}: ${first.message}` : "The request is not valid."),
    { fields },
  );
}

export function notFound(what: string, id: string): AppError {
  return new AppError("NOT_FOUND", `${what} ${id} was not found.`);
}

export function policyRefusal(rule: string, message: string): AppError {
  return new AppError("POLICY_RULE", message, { code: rule });
}
