// The server serves the built web app outside /api: files, index.html for client-side routes,
// and still JSON 404s under /api.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriptionLedger } from "../src/integrations/billing/subscription-ledger.ts";
import { buildApp } from "../src/server/app.ts";
import { TEST_SECRET } from "./app.ts";
import { createTestDatabase } from "./db.ts";

let app: FastifyInstance;
let close: () => Promise<void>;
const root = mkdtempSync(path.join(tmpdir(), "canceldesk-web-"));

beforeAll(async () => {
  mkdirSync(path.join(root, "assets"));
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>CancelDesk</title>");
  writeFileSync(path.join(root, "assets", "app-abc123.js"), "console.log('hi');");
  // The build writes compressed copies beside each file (web/vite.config.ts).
  writeFileSync(
    path.join(root, "assets", "app-abc123.js.br"),
    brotliCompressSync("console.log('hi');"),
  );
  const handle = await createTestDatabase();
  app = await buildApp({
    ctx: {
      db: handle.db,
      now: () => new Date(),
      sessionSecret: TEST_SECRET,
      billing: subscriptionLedger,
    },
    publicUrl: "http://localhost:3000",
    webRoot: root,
  });
  close = async () => {
    await app.close();
    await handle.close();
  };
});
afterAll(async () => {
  await close?.();
  rmSync(root, { recursive: true, force: true });
});

describe("the web app", () => {
  it("serves index.html at / and for client-side routes, with a CSP that allows only itself", async () => {
    for (const url of ["/", "/cases/CD-2026-00001", "/c/some-token", "/cancel"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-type"]).toContain("text/html");
      expect(response.body).toContain("<title>CancelDesk</title>");
    }
    const csp = String(
      (await app.inject({ method: "GET", url: "/" })).headers["content-security-policy"],
    );
    expect(csp).toContain("script-src 'self'");
  });

  it("serves assets as files with a long cache, and a missing file is a 404", async () => {
    const asset = await app.inject({ method: "GET", url: "/assets/app-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
    const missing = await app.inject({ method: "GET", url: "/assets/nothing.js" });
    expect(missing.statusCode).toBe(404);
  });

  it("sends the build's Brotli copy to a browser that takes it, and the file to one that does not", async () => {
    const compressed = await app.inject({
      method: "GET",
      url: "/assets/app-abc123.js",
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(compressed.statusCode).toBe(200);
    expect(compressed.headers["content-encoding"]).toBe("br");
    expect(compressed.headers["content-type"]).toContain("javascript");
    expect(brotliDecompressSync(compressed.rawPayload).toString()).toBe("console.log('hi');");
    const plain = await app.inject({ method: "GET", url: "/assets/app-abc123.js" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe("console.log('hi');");
  });

  it("keeps JSON 404s under /api", async () => {
    const response = await app.inject({ method: "GET", url: "/api/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe("NOT_FOUND");
  });
});

describe("the API's OpenAPI document beside the web app", () => {
  it("is served, and leaves the web app's pages out", async () => {
    const response = await app.inject({ method: "GET", url: "/api/openapi.json" });
    expect(response.statusCode, response.body).toBe(200);
    const paths = Object.keys(response.json().paths);
    expect(paths).toContain("/api/cases");
    expect(paths.filter((p) => !p.startsWith("/api/"))).toEqual([]);
  });
});
