// Health, readiness, the OpenAPI document and the shape of errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/server/app.ts";
import { anonymous, startTestServer, type TestServer } from "./app.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("system routes", () => {
  it("answers /healthz and /readyz, and echoes a request id", async () => {
    const health = await server.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "lb-123" },
    });
    expect(health.json()).toEqual({ status: "ok" });
    expect(health.headers["x-request-id"]).toBe("lb-123");
    const ready = await server.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
  });

  it("says 'stopping' on /readyz once the process is stopping, so the balancer sends no more", async () => {
    let stopping = false;
    const app = await buildApp({
      ctx: server.ctx,
      publicUrl: "http://localhost:3000",
      isStopping: () => stopping,
    });
    try {
      expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      stopping = true;
      const ready = await app.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: "stopping" });
    } finally {
      await app.close();
    }
  });

  it("sets the security headers on every answer, errors and unknown routes included", async () => {
    for (const url of ["/healthz", "/api/cases", "/api/no-such-route"]) {
      const response = await server.app.inject({ method: "GET", url });
      expect(response.headers["content-security-policy"], url).toContain("default-src 'self'");
      expect(response.headers["content-security-policy"], url).toContain(
        "img-src 'self' data: https:",
      );
      expect(response.headers["strict-transport-security"], url).toMatch(/max-age=\d+/);
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["x-frame-options"], url).toBe("SAMEORIGIN");
      expect(response.headers["referrer-policy"], url).toBe("no-referrer");
      expect(response.headers["x-powered-by"], url).toBeUndefined();
    }
  });

  it("publishes an OpenAPI 3.1 document describing the API, and a reference page", async () => {
    const response = await anonymous(server.app).request({
      method: "GET",
      url: "/api/openapi.json",
    });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/accounts",
        "/api/accounts/{id}",
        "/api/contacts",
        "/api/subscriptions",
        "/api/users",
        "/api/plans",
      ]),
    );
    expect(doc.paths["/api/accounts"].post.requestBody).toBeDefined();
    expect(doc.components.schemas.Account).toBeDefined();
    // What the plugins do around the routes is documented too.
    const create = doc.paths["/api/accounts"].post;
    expect(create.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: "header", name: "idempotency-key", required: false }),
      ]),
    );
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "409", "413", "415", "422"]),
    );
    expect(doc.paths["/api/accounts"].get.parameters).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "idempotency-key" })]),
    );
    const form = doc.paths["/api/public/links/{token}/form"].post;
    expect(form.security).toEqual([]);
    expect(Object.keys(form.responses)).toEqual(expect.arrayContaining(["429"]));
    expect(Object.keys(form.responses)).not.toContain("401");
    // Public, but answering 401 for wrong credentials or a bad signature.
    expect(Object.keys(doc.paths["/api/auth/sign-in"].post.responses)).toContain("401");
    expect(Object.keys(doc.paths["/api/integrations/sms/status"].post.responses)).toContain("401");
    expect(doc.paths["/api/auth/sign-in"].post.parameters ?? []).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "idempotency-key" })]),
    );
    expect(doc.paths["/api/cases/{id}/process"].post.responses["409"].description).toContain(
      "FORM_NOT_SUBMITTED",
    );
    const page = await server.app.inject({ method: "GET", url: "/api/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
  });

  it("answers unknown routes and malformed JSON with the error shape", async () => {
    const missing = await server.app.inject({ method: "GET", url: "/api/nothing-here" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("NOT_FOUND");
    const malformed = await server.app.inject({
      method: "POST",
      url: "/api/auth/sign-in",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("VALIDATION_FAILED");
  });
});
