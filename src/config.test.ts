import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertDeliveryConfigured,
  assertPublicUrlConfigured,
  ConfigError,
  loadConfig,
} from "./config.ts";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "canceldesk-config-"));

describe("loadConfig", () => {
  it("defaults to the embedded database and keeps a generated session secret in the data folder", () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      databaseUrl: undefined,
      dataDir: dir,
      publicUrl: "http://localhost:3000",
    });
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, "session-secret"), "utf8").trim()).toBe(first.sessionSecret);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(first.sessionSecret);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
    [{ PUBLIC_URL: "ftp://x" }, "PUBLIC_URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
    [{ DATABASE_URL: "postgres://localhost/x" }, "SESSION_SECRET"],
    [{ SMTP_URL: "http://mail" }, "SMTP_URL"],
    [{ SEED_DEMO: "yes" }, "SEED_DEMO"],
    [{ TRUST_PROXY: "the load balancer" }, "TRUST_PROXY"],
    [{ WEBHOOK_PRIVATE_ADDRESSES: "yes" }, "WEBHOOK_PRIVATE_ADDRESSES"],
  ])("refuses %o naming %s", (env, variable) => {
    try {
      loadConfig({ DATA_DIR: dataDir(), ...env });
      expect.unreachable("loadConfig accepted a bad value");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message.startsWith(`${variable}: `)).toBe(true);
    }
  });

  it("takes PostgreSQL with a given secret, and strips a trailing slash from PUBLIC_URL", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://u@db:5432/canceldesk",
      SESSION_SECRET: "x".repeat(40),
      PUBLIC_URL: "https://cancel.example.com/",
      PORT: "8080",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://u@db:5432/canceldesk",
      publicUrl: "https://cancel.example.com",
      port: 8080,
    });
  });

  it("refuses a kept session secret that is empty or cut short", () => {
    const dir = dataDir();
    loadConfig({ DATA_DIR: dir });
    writeFileSync(path.join(dir, "session-secret"), "\n");
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/^SESSION_SECRET: the secret kept in /);
  });

  it("seeds demo data on the embedded database only, unless asked to", () => {
    const production = {
      DATABASE_URL: "postgres://u@db:5432/canceldesk",
      SESSION_SECRET: "x".repeat(40),
    };
    expect(loadConfig({ DATA_DIR: dataDir() }).seedDemoOnFirstStart).toBe(true);
    expect(loadConfig(production).seedDemoOnFirstStart).toBe(false);
    expect(loadConfig({ ...production, SEED_DEMO: "true" }).seedDemoOnFirstStart).toBe(true);
  });

  it("wants PUBLIC_URL for a server or worker on PostgreSQL, not on the embedded database", () => {
    const production = {
      DATABASE_URL: "postgres://u@db:5432/canceldesk",
      SESSION_SECRET: "x".repeat(40),
    };
    expect(() => assertPublicUrlConfigured(loadConfig(production))).toThrow(/^PUBLIC_URL: /);
    expect(() =>
      assertPublicUrlConfigured(
        loadConfig({ ...production, PUBLIC_URL: "https://cancel.example.com" }),
      ),
    ).not.toThrow();
    expect(() => assertPublicUrlConfigured(loadConfig({ DATA_DIR: dataDir() }))).not.toThrow();
  });

  it("delivers to the dev mailbox on the embedded database only, unless asked to", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).devMailbox).toBe(true);
    // Webhooks reach only public addresses unless the deployment says otherwise.
    expect(loadConfig({ DATA_DIR: dataDir() }).webhookPrivateAddresses).toBe(false);
    const production = {
      DATABASE_URL: "postgres://u@db:5432/canceldesk",
      SESSION_SECRET: "x".repeat(40),
    };
    const variableMissing = (env: Record<string, string>) => {
      try {
        assertDeliveryConfigured(loadConfig({ ...production, ...env }));
        return null;
      } catch (error) {
        return (error as ConfigError).variable;
      }
    };
    expect(variableMissing({})).toBe("SMTP_URL");
    expect(variableMissing({ SMTP_URL: "smtp://mail:25" })).toBe("SMS_PROVIDER_URL");
    expect(
      variableMissing({
        SMTP_URL: "smtp://mail:25",
        SMS_PROVIDER_URL: "https://sms.example/send",
        SMS_PROVIDER_TOKEN: "t".repeat(20),
      }),
    ).toBeNull();
    expect(variableMissing({ DEV_MAILBOX: "true" })).toBeNull();
    expect(variableMissing({ DEV_MAILBOX: "yes" })).toBe("DEV_MAILBOX");
  });

  it.each([
    [{}, false],
    [{ TRUST_PROXY: "false" }, false],
    [{ TRUST_PROXY: "true" }, true],
    [{ TRUST_PROXY: "2" }, 2],
    [{ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }, "10.0.0.0/8,127.0.0.1"],
  ])("reads TRUST_PROXY %o as %o", (env, expected) => {
    expect(loadConfig({ DATA_DIR: dataDir(), ...env }).trustProxy).toEqual(expected);
  });
});
