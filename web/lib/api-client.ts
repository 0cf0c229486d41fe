// The one way the web app talks to the server: JSON over fetch with the session cookie, the
// session's CSRF token on writes, and errors as ApiError carrying the server's { code, message,
// fields }. The CSRF token comes from the sign-in and session answers (see features/auth), which
// also tells the client what to do when the session ends (401) or its token is stale.

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    body: {
      code?: string;
      message?: string;
      fields?: FieldProblem[];
      details?: Record<string, unknown>;
    },
  ) {
    super(body.message ?? `The server answered ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code ?? "UNKNOWN";
    this.fields = body.fields ?? [];
    this.details = body.details;
  }

  /** The message for one field (e.g. `reasonCode`), if the server named it. */
  /**
   * The message for a field, also when the server names it inside an object: the engine says
   * `submission.details` for the form's `details`.
   */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => namesField(f.field, field))?.message;
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export interface SessionHandlers {
  /** A staff call answered 401: the session ran out or was ended elsewhere. */
  onUnauthenticated: () => void;
  /** Reloads the session for a fresh CSRF token; false when there is no session any more. */
  renewCsrfToken: () => Promise<boolean>;
}

let sessionHandlers: SessionHandlers | null = null;

export function setSessionHandlers(handlers: SessionHandlers | null): void {
  sessionHandlers = handlers;
}

/** Calls whose 401 means something else than "the session ended": signing in, the session. */
function speaksForTheSession(path: string): boolean {
  return !path.startsWith("/api/auth/") && !path.startsWith("/api/public/");
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A body sent as it is (a file) with its own content type, instead of as JSON. */
class RawBody {
  constructor(
    readonly data: Blob | string,
    readonly contentType: string,
  ) {}
}

/** Per request: an Idempotency-Key makes a retry of a write get the first answer again. */
export interface WriteOptions {
  idempotencyKey?: string;
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
  options: WriteOptions = {},
  retried = false,
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  if (body !== undefined)
    headers["content-type"] = body instanceof RawBody ? body.contentType : "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method,
      headers,
      credentials: "same-origin",
      body:
        body === undefined ? undefined : body instanceof RawBody ? body.data : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      code: "NETWORK",
      message: "The server could not be reached. Check your connection and try again.",
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, (parsed as Record<string, never>) ?? {});
    if (error.status === 401 && speaksForTheSession(path)) sessionHandlers?.onUnauthenticated();
    // A session signed in again elsewhere (another tab) has a new token: take it and retry once.
    if (error.code === "CSRF_TOKEN_INVALID" && !retried && sessionHandlers) {
      if (await sessionHandlers.renewCsrfToken()) {
        return request<T>(method, path, body, query, options, true);
      }
    }
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, undefined, query),
  post: <T>(path: string, body: unknown = {}, options?: WriteOptions) =>
    request<T>("POST", path, body, undefined, options),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: <T>(path: string) => request<T>("DELETE", path),
  /** Posts a file (a CSV import) as the body, with its content type. */
  postFile: <T>(
    path: string,
    data: Blob | string,
    contentType: string,
    query?: Query,
    options?: WriteOptions,
  ) => request<T>("POST", path, new RawBody(data, contentType), query, options),
};

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** Whether a field the server named (`details` or `submission.details`) is this form's `field`. */
export function namesField(named: string, field: string): boolean {
  return named === field || named.endsWith(`.${field}`);
}
