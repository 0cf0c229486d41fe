// What a case command costs the database, counted rather than timed: the hot path reads the case
// with its facts in one statement and writes everything the decision produced in one more
// (src/app/run-case-command.ts). A change that adds statements to it fails here, on purpose;
// speed itself is measured by bench/lifecycle.ts.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./app.ts";
import {
  act,
  makeWorld,
  openCaseFor,
  sentCode,
  submitFormAsCustomer,
  type World,
} from "./cases.ts";

/**
 * Counts the statements run through Kysely, when their results come back: hot statements are
 * compiled once and run as compiled queries, which skip the plugins' transformQuery (transaction
 * BEGIN/COMMIT are not counted either).
 */
class StatementCounter implements KyselyPlugin {
  statements = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    this.statements++;
    return args.result;
  }
}

let server: TestServer;
let world: World;
const counter = new StatementCounter();

beforeAll(async () => {
  server = await startTestServer();
  world = await makeWorld(server);
  server.ctx.db = server.handle.db.withPlugin(counter);
  // The first case publishes the default policy and fills the cache of policy versions (each
  // version is read once per process): a cost paid once, not per command.
  for (let i = 0; i < 2; i++) await openCaseFor(await makeWorld(server));
});
afterAll(async () => server?.close());

/** Some case still open, as it is now. */
function anOpenCase() {
  return server.handle.db
    .selectFrom("cases")
    .select(["id", "version"])
    .where("closed_at", "is", null)
    .executeTakeFirstOrThrow();
}

async function statementsOf(run: () => Promise<unknown>): Promise<number> {
  counter.statements = 0;
  await run();
  return counter.statements;
}

describe("statements per request", () => {
  it("a staff command: the session, one read of the case and its facts, one write", async () => {
    const opened = await statementsOf(() => openCaseFor(world));
    // session, facts of the account/contact/subscription (+ reference number), the write
    expect(opened).toBe(3);
    const { id } = (await server.handle.db
      .selectFrom("cases")
      .select("id")
      .where("subscription_id", "=", world.subscriptionId)
      .executeTakeFirstOrThrow()) as { id: string };
    await act(world.am, id, "identity/send-code");
    const code = await sentCode(server, { caseId: id });
    // The code is checked against the live code read with the case, and its attempt is counted
    // in the write: a wrong code and the right one cost what any command costs.
    for (const given of [code === "000000" ? "111111" : "000000", code]) {
      const statements = await statementsOf(() =>
        act(world.am, id, "identity/confirm-code", { code: given }),
      );
      expect(statements, `confirm-code ${given === code ? "right" : "wrong"}`).toBe(3);
    }
    const attempts = await server.handle.db
      .selectFrom("identity_codes")
      .select(["attempts", "used_at"])
      .where("case_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(attempts.attempts).toBe(2);
    expect(attempts.used_at).not.toBeNull();
    await act(world.am, id, "form/send");
    await submitFormAsCustomer(server, id);
    for (const [path, body] of [
      ["reason", { reasonCode: "too_expensive", notes: "Budget halved." }],
      ["notes", { text: "Called back at 3pm." }],
      ["no-suitable-offer", { reason: "Nothing fits a hiring freeze." }],
      ["escalate", {}],
    ] as const) {
      const statements = await statementsOf(() => act(world.am, id, path, body));
      expect(statements, path).toBe(3);
    }
    await act(world.csm, id, "csm/outcome", { outcome: "proceed", notes: "Proceed." });
    // Processing also records the billing effect and cancels the subscription (one transaction):
    // the ledger's update answers the subscription, so it is neither locked nor read again.
    let processed: { case: { state: string } } | undefined;
    const statements = await statementsOf(async () => {
      processed = await act(world.am, id, "process");
    });
    expect(processed!.case.state).toBe("cancelled");
    expect(statements, "process").toBe(5);
    const subscription = await server.handle.db
      .selectFrom("subscriptions")
      .select("status")
      .where("id", "=", world.subscriptionId)
      .executeTakeFirstOrThrow();
    expect(subscription.status).toBe("cancellation_scheduled");
  });

  it("reading a case: the session and one read", async () => {
    const c = await server.handle.db.selectFrom("cases").select("id").executeTakeFirstOrThrow();
    const statements = await statementsOf(async () => {
      const response = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
      expect(response.statusCode).toBe(200);
    });
    expect(statements).toBe(2);
  });

  it("Prefer: return=minimal answers with the case alone, at the same cost in statements", async () => {
    const c = await anOpenCase();
    let response: Awaited<ReturnType<typeof world.am.request>> | undefined;
    const statements = await statementsOf(async () => {
      response = await world.am.request({
        method: "POST",
        url: `/api/cases/${c.id}/notes`,
        headers: { prefer: "return=minimal" },
        payload: { text: "Customer asked for a call on Friday." },
      });
    });
    expect(response!.statusCode, response!.body).toBe(200);
    expect(response!.headers["preference-applied"]).toBe("return=minimal");
    const body = response!.json();
    expect(Object.keys(body)).toEqual(["case"]);
    expect(body.case).toMatchObject({ id: c.id, version: c.version + 1 });
    expect(body.case.notes.at(-1).text).toBe("Customer asked for a call on Friday.");
    expect(statements).toBe(3);
  });

  it("an Idempotency-Key adds its claim and nothing else: the answer is stored by the command's write", async () => {
    const c = await anOpenCase();
    let response: Awaited<ReturnType<typeof world.am.request>> | undefined;
    const statements = await statementsOf(async () => {
      response = await world.am.request({
        method: "POST",
        url: `/api/cases/${c.id}/notes`,
        headers: { "idempotency-key": "command-cost-note-0001" },
        payload: { text: "Customer prefers email from now on." },
      });
    });
    expect(response!.statusCode, response!.body).toBe(200);
    // session, claim, one read of the case and its facts, one write
    expect(statements).toBe(4);
    const kept = await server.handle.db
      .selectFrom("idempotency_keys")
      .select(["status_code", "response"])
      .where("key", "=", "command-cost-note-0001")
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ status_code: 200, response: response!.json() });
  });
});
