// A CancelDesk server on a fresh test database, driven with inject(), and signed-in clients for
// each staff role that carry their session cookie and CSRF token like the web app does.

import type {
  FastifyInstance,
  FastifyServerOptions,
  InjectOptions,
  LightMyRequestResponse,
} from "fastify";
import type { AppContext } from "../src/app/context.ts";
import type { DatabaseHandle } from "../src/db/database.ts";
import type { StaffRole, StaffUser } from "../src/domain/staff.ts";
import { subscriptionLedger } from "../src/integrations/billing/subscription-ledger.ts";
import { buildApp } from "../src/server/app.ts";
import { createTestDatabase } from "./db.ts";
import { makeUser, TEST_PASSWORD } from "./factories.ts";

export const TEST_SECRET = "test-session-secret-that-is-long-enough-0123456789";
/** Signs the SMS provider's status callbacks in tests. */
export const TEST_SMS_CALLBACK_SECRET = "test-sms-callback-secret-0123456789";

export interface TestServer {
  app: FastifyInstance;
  handle: DatabaseHandle;
  ctx: AppContext;
  clock: { now: Date; advance(ms: number): void };
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    signInMax?: number;
    logger?: FastifyServerOptions["logger"];
    csvPageSize?: number;
  } = {},
): Promise<TestServer> {
  const handle = await createTestDatabase();
  const clock = {
    now: new Date(),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const ctx: AppContext = {
    db: handle.db,
    now: () => clock.now,
    sessionSecret: TEST_SECRET,
    billing: subscriptionLedger,
  };
  const app = await buildApp({
    ctx,
    publicUrl: "http://localhost:3000",
    smsCallbackSecret: TEST_SMS_CALLBACK_SECRET,
    signInLimit: { max: options.signInMax ?? 1000, timeWindow: "1 minute" },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.csvPageSize ? { csvPageSize: options.csvPageSize } : {}),
  });
  await app.ready();
  return {
    app,
    handle,
    ctx,
    clock,
    close: async () => {
      await app.close();
      await handle.close();
    },
  };
}

export interface Client {
  user: StaffUser | undefined;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
}

export function anonymous(app: FastifyInstance): Client {
  return { user: undefined, request: (options) => app.inject(options) };
}

export async function signInAs(
  app: FastifyInstance,
  user: StaffUser,
  password = TEST_PASSWORD,
): Promise<Client> {
  const response = await app.inject({
    method: "POST",
    url: "/api/auth/sign-in",
    payload: { email: user.email, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === "cd_session");
  const { csrfToken } = response.json() as { csrfToken: string };
  return {
    user,
    request: (options) =>
      app.inject({
        ...options,
        cookies: { ...(options.cookies ?? {}), cd_session: cookie!.value },
        headers: { "x-csrf-token": csrfToken, ...(options.headers ?? {}) },
      }),
  };
}

export async function clientFor(server: TestServer, role: StaffRole): Promise<Client> {
  const user = await makeUser(server.handle.db, role);
  return signInAs(server.app, user);
}

/** The fields a 400 VALIDATION_FAILED answer names, sorted. */
export function invalidFields(response: LightMyRequestResponse): string[] {
  return (response.json() as { fields: { field: string }[] }).fields.map((f) => f.field).sort();
}
