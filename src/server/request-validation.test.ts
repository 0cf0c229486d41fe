// The request validator on a route of its own: nested and listed objects, loose objects and
// records, and text PostgreSQL cannot store, without a database.
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { registerErrorHandler } from "./plugins/error-handler.ts";
import { validatorCompiler } from "./request-validation.ts";

async function appWith(body: z.ZodType) {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  registerErrorHandler(app);
  app.post("/thing", { schema: { body } }, async (request) => ({ got: request.body }));
  await app.ready();
  return app;
}

const schema = z.object({
  name: z.string(),
  address: z.object({ city: z.string(), lines: z.array(z.object({ text: z.string() })) }),
  extra: z.looseObject({ kind: z.string() }).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  when: z
    .string()
    .transform((s) => new Date(s))
    .optional(),
});

describe("the request validator", () => {
  it("names an unknown field by its path, however deep", async () => {
    const app = await appWith(schema);
    const answer = await app.inject({
      method: "POST",
      url: "/thing",
      payload: {
        name: "Acme",
        address: { city: "Leeds", lines: [{ text: "1 Road" }, { text: "Flat 2", floor: 3 }] },
      },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      message: "address.lines.1.floor: is not a field of this request: check its name",
      fields: [{ field: "address.lines.1.floor" }],
    });
  });

  it("keeps what loose objects, records and transforms are meant to take", async () => {
    const app = await appWith(schema);
    const answer = await app.inject({
      method: "POST",
      url: "/thing",
      payload: {
        name: "Acme",
        address: { city: "Leeds", lines: [] },
        extra: { kind: "a", anything: 1 },
        labels: { colour: "blue" },
        when: "2026-11-25T09:00:00Z",
      },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().got.extra).toEqual({ kind: "a", anything: 1 });
  });

  it("refuses a NUL character in a key as well as in a value", async () => {
    const app = await appWith(z.object({ labels: z.record(z.string(), z.string()) }));
    const answer = await app.inject({
      method: "POST",
      url: "/thing",
      payload: { labels: { "a\u0000b": "x" } },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().fields).toEqual([
      { field: "labels.a\u0000b", message: "is not a valid field name" },
    ]);
  });
});
