// Pieces every resource's routes share: paging parameters, the error body, id parameters.
import { z } from "zod";

export const errorBody = z
  .object({
    code: z
      .string()
      .describe("Stable machine-readable code, e.g. VALIDATION_FAILED or IDENTITY_NOT_VERIFIED"),
    message: z.string().describe("A sentence for people"),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "Error" });

/** The error responses every authenticated route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
} as const;

export const pageQuery = {
  limit: z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(200, "must be at most 200")
    .default(50),
  cursor: z.string().max(500).optional().describe("nextCursor of the previous page"),
  q: z.string().trim().max(200).optional().describe("search text"),
};

/** Paging alone, for lists without search. */
export const cursorQuery = { limit: pageQuery.limit, cursor: pageQuery.cursor };

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const idParams = z.object({ id: z.uuid({ error: "must be an id (UUID)" }) });

export const booleanQuery = z.enum(["true", "false"]).transform((v) => v === "true");

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
