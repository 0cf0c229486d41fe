// Reads and validates the environment once at start. Everything else receives a typed Config;
// nothing outside this file reads process.env.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; undefined means the embedded PGlite database in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  /** False when PUBLIC_URL was left out and publicUrl is the local default. */
  publicUrlGiven: boolean;
  sessionSecret: string;
  logLevel: LogLevel;
  smtpUrl: string | undefined;
  /** The From of every email, e.g. `WootRecruit <care@wootrecruit.com>`. */
  mailFrom: string;
  /** The SMS provider's endpoint (JSON POST); undefined keeps text messages in the dev mailbox. */
  smsProviderUrl: string | undefined;
  smsProviderToken: string | undefined;
  /** Verifies the provider's status callbacks (HMAC); defaults to the provider token. */
  smsCallbackSecret: string | undefined;
  /** Deliver the outbox and run the timers inside `serve` (off when a separate worker runs). */
  worker: boolean;
  /**
   * Keep email and SMS without SMTP_URL or SMS_PROVIDER_URL in the dev mailbox. On by default
   * only on the embedded database: in production the mailbox would hand every admin the
   * customers' codes and links, and the customers would get nothing.
   */
  devMailbox: boolean;
  /**
   * Let webhooks reach loopback and private addresses (endpoints inside the deployment's own
   * network). Off by default: an endpoint typed in by an admin could otherwise read internal
   * services through the delivery log.
   */
  webhookPrivateAddresses: boolean;
  /**
   * Seed demo data on the first start of an empty database: by default only the embedded one,
   * so a production database never gets the demo staff and their published password.
   */
  seedDemoOnFirstStart: boolean;
  /**
   * Whose X-Forwarded-For to believe for the client's address (rate limits, logs): false (the
   * default: nobody's, the TCP peer is the client), true (anyone's), a number of proxy hops, or
   * proxy addresses/CIDRs separated by commas. Trusting everybody lets a caller pick the address
   * the per-address limits count, so set it to the load balancer's address only.
   */
  trustProxy: boolean | number | string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS: readonly LogLevel[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];

type Env = Record<string, string | undefined>;

function readPort(env: Env): number {
  const raw = env.PORT ?? "3000";
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError("PORT", `must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, "is not a valid URL");
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return raw;
}

/**
 * The session secret signs CSRF tokens. On the embedded default it is generated once and kept in
 * the data folder, so a restart does not sign everybody out; with PostgreSQL (several servers
 * behind a load balancer) it must be given, so that every server agrees.
 */
function readSessionSecret(env: Env, dataDir: string, usesEmbeddedDb: boolean): string {
  const given = env.SESSION_SECRET;
  if (given !== undefined && given !== "") {
    if (given.length < 32)
      throw new ConfigError("SESSION_SECRET", "must be at least 32 characters long");
    return given;
  }
  if (!usesEmbeddedDb) {
    throw new ConfigError(
      "SESSION_SECRET",
      "must be set when DATABASE_URL is set (at least 32 characters)",
    );
  }
  const file = path.join(dataDir, "session-secret");
  if (existsSync(file)) {
    const kept = readFileSync(file, "utf8").trim();
    // An empty or cut file would sign every session and customer link with next to nothing.
    if (kept.length < 32) {
      throw new ConfigError(
        "SESSION_SECRET",
        `the secret kept in ${file} is shorter than 32 characters: delete the file to have a new one generated (signed-in sessions and sent links then stop working)`,
      );
    }
    return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Env = process.env): Config {
  const port = readPort(env);
  const host = env.HOST || "127.0.0.1";
  const databaseUrl = readUrl(env, "DATABASE_URL", ["postgres:", "postgresql:"]);
  const dataDir = path.resolve(env.DATA_DIR || "data");
  const givenPublicUrl = readUrl(env, "PUBLIC_URL", ["http:", "https:"]);
  const publicUrl = (givenPublicUrl ?? `http://localhost:${port}`).replace(/\/$/, "");
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      "LOG_LEVEL",
      `must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`,
    );
  }
  const smtpUrl = readUrl(env, "SMTP_URL", ["smtp:", "smtps:"]);
  const seedRaw = env.SEED_DEMO || (databaseUrl === undefined ? "true" : "false");
  if (seedRaw !== "true" && seedRaw !== "false") {
    throw new ConfigError("SEED_DEMO", `must be "true" or "false", got "${seedRaw}"`);
  }
  const sessionSecret = readSessionSecret(env, dataDir, databaseUrl === undefined);
  const mailFrom = env.MAIL_FROM || "WootRecruit <no-reply@canceldesk.localhost>";
  if (!/^[^<>]*<[^@\s<>]+@[^@\s<>]+>$|^[^@\s<>]+@[^@\s<>]+$/.test(mailFrom.trim())) {
    throw new ConfigError("MAIL_FROM", `must be an address or "Name <address>", got "${mailFrom}"`);
  }
  const smsProviderUrl = readUrl(env, "SMS_PROVIDER_URL", ["http:", "https:"]);
  const smsProviderToken = env.SMS_PROVIDER_TOKEN || undefined;
  if (smsProviderUrl && !smsProviderToken) {
    throw new ConfigError("SMS_PROVIDER_TOKEN", "must be set when SMS_PROVIDER_URL is set");
  }
  const smsCallbackSecret = env.SMS_CALLBACK_SECRET || smsProviderToken;
  if (smsCallbackSecret !== undefined && smsCallbackSecret.length < 16) {
    throw new ConfigError(
      env.SMS_CALLBACK_SECRET ? "SMS_CALLBACK_SECRET" : "SMS_PROVIDER_TOKEN",
      "must be at least 16 characters long (it verifies the provider's status callbacks)",
    );
  }
  const trustProxy = readTrustProxy(env);
  const workerRaw = env.WORKER ?? "on";
  if (workerRaw !== "on" && workerRaw !== "off") {
    throw new ConfigError("WORKER", `must be "on" or "off", got "${workerRaw}"`);
  }
  const devMailboxRaw = env.DEV_MAILBOX ?? (databaseUrl === undefined ? "true" : "false");
  if (devMailboxRaw !== "true" && devMailboxRaw !== "false") {
    throw new ConfigError("DEV_MAILBOX", `must be "true" or "false", got "${devMailboxRaw}"`);
  }
  const webhookPrivateRaw = env.WEBHOOK_PRIVATE_ADDRESSES ?? "refuse";
  if (webhookPrivateRaw !== "allow" && webhookPrivateRaw !== "refuse") {
    throw new ConfigError(
      "WEBHOOK_PRIVATE_ADDRESSES",
      `must be "allow" or "refuse", got "${webhookPrivateRaw}"`,
    );
  }
  return {
    port,
    host,
    databaseUrl,
    dataDir,
    publicUrl,
    publicUrlGiven: givenPublicUrl !== undefined,
    sessionSecret,
    logLevel,
    smtpUrl,
    mailFrom: mailFrom.trim(),
    smsProviderUrl,
    smsProviderToken,
    smsCallbackSecret,
    worker: workerRaw === "on",
    devMailbox: devMailboxRaw === "true",
    webhookPrivateAddresses: webhookPrivateRaw === "allow",
    seedDemoOnFirstStart: seedRaw === "true",
    trustProxy,
  };
}

/**
 * A server or worker on a production database must know its public address: the links sent to
 * customers are built on it, and session cookies are Secure only when it is https.
 */
export function assertPublicUrlConfigured(config: Config): void {
  if (config.databaseUrl !== undefined && !config.publicUrlGiven) {
    throw new ConfigError(
      "PUBLIC_URL",
      "must be set when DATABASE_URL is set: customers' links and the Secure cookie are built on it",
    );
  }
}

/**
 * Refuses to deliver messages with nowhere real to send them (a process that delivers calls
 * this): without the dev mailbox, email needs SMTP_URL and text messages SMS_PROVIDER_URL.
 */
export function assertDeliveryConfigured(config: Config): void {
  if (config.devMailbox) return;
  const why = "must be set to deliver messages (or DEV_MAILBOX=true keeps them in the dev mailbox)";
  if (!config.smtpUrl) throw new ConfigError("SMTP_URL", why);
  if (!config.smsProviderUrl) throw new ConfigError("SMS_PROVIDER_URL", why);
}

function readTrustProxy(env: Env): boolean | number | string {
  const raw = (env.TRUST_PROXY ?? "").trim();
  if (raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const addresses = raw.split(",").map((a) => a.trim());
  if (addresses.some((a) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(a))) {
    throw new ConfigError(
      "TRUST_PROXY",
      `must be true, false, a number of hops or proxy addresses (CIDR) separated by commas, got "${raw}"`,
    );
  }
  return addresses.join(",");
}
