// The OpenAPI document says what the plugins do around every route, which the routes' own
// schemas cannot: which routes need no sign-in, the Idempotency-Key every write accepts, the
// rate limit on public routes, the Location of a 201, and the policy's rule codes behind a
// command's 409.
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { RULE_CODES } from "../domain/rules.ts";

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type JsonSchema = Record<string, unknown>;

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

interface RouteConfig {
  access?: { public?: boolean };
  idempotency?: { off?: true };
  rateLimit?: unknown;
  location?: unknown;
}

const IDEMPOTENCY_KEY: JsonSchema = {
  type: "string",
  pattern: "^[A-Za-z0-9._:-]{8,100}$",
  description:
    "Optional. A repeat with the same key within a day gets the first answer (header idempotent-replayed: true) and acts once; the same key with another request is 422 IDEMPOTENCY_KEY_REUSED.",
};

const POLICY_REFUSAL = `A conflict: the case changed (CASE_CHANGED, with the current version) or the policy refuses the step, with its rule's code and a sentence saying what to do first. Rule codes: ${RULE_CODES.join(", ")}.`;

function withDescription(schema: unknown, description: string): JsonSchema {
  return { ...(schema as JsonSchema), description };
}

export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const transformed = out.schema as
    | (JsonSchema & {
        hide?: boolean;
        headers?: JsonSchema & { properties?: Record<string, JsonSchema> };
        response?: Record<string, unknown>;
        tags?: string[];
      })
    | undefined;
  // A route without a schema (a plugin's) is documented as it is.
  if (!transformed || transformed.hide) return out;
  const route = (
    input as unknown as {
      route: { method: string | string[]; config?: RouteConfig; bodyLimit?: number };
    }
  ).route;
  const config = route.config ?? {};
  const methods = [route.method].flat();
  const error = transformed.response?.["400"];
  const response = { ...(transformed.response ?? {}) };
  const schema: typeof transformed = { ...transformed, response };

  if (config.access?.public) schema.security = [];
  if (config.location && response["201"]) {
    response["201"] = {
      ...(response["201"] as JsonSchema),
      headers: {
        location: {
          type: "string",
          description: "Where the created resource is read again (its GET by id); also on a replay",
        },
      },
    };
  }
  if (methods.some((m) => WRITES.has(m)) && !config.idempotency?.off) {
    schema.headers = {
      type: "object",
      ...schema.headers,
      properties: { ...(schema.headers?.properties ?? {}), "idempotency-key": IDEMPOTENCY_KEY },
    };
    if (error) {
      response["422"] = withDescription(
        error,
        "IDEMPOTENCY_KEY_REUSED: the key came with another request",
      );
    }
  }
  if (error && "body" in transformed) {
    const limit = route.bodyLimit ?? 1024 * 1024;
    const consumes = (transformed.consumes as string[] | undefined) ?? ["application/json"];
    response["413"] = withDescription(
      error,
      `BODY_TOO_LARGE: the body is over ${limit / (1024 * 1024)} MiB`,
    );
    response["415"] = withDescription(
      error,
      `UNSUPPORTED_MEDIA_TYPE: send ${consumes.join(" or ")}`,
    );
  }
  if (error && config.rateLimit) {
    response["429"] = withDescription(error, "RATE_LIMITED: too many requests from this address");
  }
  // Customer routes ignore credentials (a link or code is their key); sign-in and the SMS
  // callback are public too but answer 401 for wrong credentials or a bad signature.
  if (config.access?.public && input.url.startsWith("/api/public/")) {
    delete response["401"];
    delete response["403"];
  }
  if (response["409"] && schema.tags?.includes("case commands")) {
    response["409"] = withDescription(response["409"], POLICY_REFUSAL);
  }
  return { ...out, schema };
}
