// Validates every request part against its route's zod schema, and refuses two things zod lets
// through on its own:
// - a body field the route does not know. A plain z.object drops it silently, so a misspelled
//   `expectedVersion` turned off the concurrency check it was meant to ask for;
// - text PostgreSQL cannot store (a NUL character, half of a UTF-16 surrogate pair), which
//   reached the database and came back as a 500.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import { validatorCompiler as zodValidatorCompiler } from "fastify-type-provider-zod";
import type { ZodType } from "zod";

function issue(
  path: readonly string[],
  keyword: string,
  message: string,
): FastifySchemaValidationError[] {
  const pointer = `/${path.join("/")}`;
  return [{ keyword, instancePath: pointer, schemaPath: `#${pointer}`, message, params: {} }];
}

// Parsed JSON and query strings (whose objects Fastify builds on a null-prototype prototype).
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !ArrayBuffer.isView(value)
  );
}

// A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string (key or value) PostgreSQL's text cannot hold, with the problem. */
function unstorableText(
  value: unknown,
  path: string[],
): { path: string[]; message: string } | undefined {
  if (typeof value === "string") {
    if (value.includes("\u0000")) return { path, message: "must not contain a NUL character" };
    if (LONE_SURROGATE.test(value)) return { path, message: "must be valid Unicode text" };
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableText(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = unstorableText(key, [...path, key]);
      if (keyProblem) return { path: keyProblem.path, message: "is not a valid field name" };
      const found = unstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first field of `input` that parsing dropped: present in the request, absent from what the
 * schema returned. Loose objects and records keep their extra keys, so they never show here.
 */
function droppedField(input: unknown, output: unknown, path: string[]): string[] | undefined {
  if (Array.isArray(input) && Array.isArray(output) && input.length === output.length) {
    for (let i = 0; i < input.length; i++) {
      const found = droppedField(input[i], output[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(input) && isPlainObject(output)) {
    for (const [key, value] of Object.entries(input)) {
      if (!Object.hasOwn(output, key)) return [...path, key];
      const found = droppedField(value, output[key], [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

export const validatorCompiler: FastifySchemaCompiler<ZodType> = (route) => {
  const validate = zodValidatorCompiler(route) as (data: unknown) => {
    value?: unknown;
    error?: FastifySchemaValidationError[];
  };
  return (data: unknown) => {
    const unstorable = unstorableText(data, []);
    if (unstorable) return { error: issue(unstorable.path, "text", unstorable.message) };
    const result = validate(data);
    if (result.error || route.httpPart !== "body") return result;
    const dropped = droppedField(data, result.value, []);
    if (dropped) {
      return { error: issue(dropped, "unknown", "is not a field of this request: check its name") };
    }
    return result;
  };
};
