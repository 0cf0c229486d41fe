// One case a timer cannot handle does not hold up the others: it is logged and counted, and the
// round goes on (it would be found again every round and stall every later timer for ever).
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTimers } from "../src/jobs/timers.ts";
import { startTestServer, type TestServer } from "./app.ts";
import { makeWorld, openWithFormSent, staffClient } from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("timers", () => {
  it("go on with the other cases when one fails, and say which", async () => {
    const broken = await openWithFormSent(server, await makeWorld(server));
    const fine = await openWithFormSent(server, await makeWorld(server));
    // A rule only the database knows: no audit entry for the broken case from now on.
    await sql
      .raw(`create function refuse_broken_case() returns trigger language plpgsql as $$
        begin
          if new.case_id = '${broken.id}' then raise exception 'this case cannot be written'; end if;
          return new;
        end $$`)
      .execute(server.handle.db);
    await sql`create trigger refuse_broken_case before insert on case_events
      for each row execute function refuse_broken_case()`.execute(server.handle.db);
    const errors: { details: object; message: string }[] = [];
    const log = {
      info() {},
      warn() {},
      error: (details: object, message: string) => errors.push({ details, message }),
    };
    try {
      server.clock.advance(73 * 3_600_000); // past the form links' 72 hours
      const result = await runTimers(server.ctx, log);
      expect(result).toMatchObject({ formLinksExpired: 1, casesFailed: 1 });
      expect(errors).toEqual([
        {
          details: expect.objectContaining({ caseId: broken.id }),
          message: "a timer failed on this case; the others go on",
        },
      ]);
      const admin = await staffClient(server, "admin");
      const view = async (id: string) =>
        (await admin.request({ method: "GET", url: `/api/cases/${id}` })).json().case;
      expect((await view(fine.id)).form.linkExpiredAt).not.toBeNull();
      expect((await view(broken.id)).form.linkExpiredAt ?? null).toBeNull();
    } finally {
      server.clock.advance(-73 * 3_600_000);
      await sql`drop trigger refuse_broken_case on case_events`.execute(server.handle.db);
      await sql`drop function refuse_broken_case()`.execute(server.handle.db);
    }
  });
});
