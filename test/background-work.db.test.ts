// The background work of a process stops promptly: a container platform kills a process that
// takes longer than its stop timeout (Docker: 10 s), before the embedded database is closed.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startBackgroundWork } from "../src/jobs/background.ts";
import { startTestServer, type TestServer } from "./app.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const quiet = { info() {}, warn() {}, error() {} };

describe("background work", () => {
  it("stops within moments though every loop sleeps on a long timer", async () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "cd-bg-")) });
    const work = startBackgroundWork(server.ctx, config, quiet, {
      pollMs: 60_000,
      timerIntervalMs: 60_000,
    });
    // Let each loop finish its first round and go to sleep.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const started = performance.now();
    await work.stop();
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
