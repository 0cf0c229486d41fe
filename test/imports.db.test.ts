// CSV imports over HTTP (POST /api/imports/:kind), for admins while the server runs: the same
// use case as `canceldesk import`, so a file with a bad row imports nothing and says which line
// and column to fix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, type Client, clientFor, startTestServer, type TestServer } from "./app.ts";
import { makePlan, makeUser } from "./factories.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
  await makeUser(server.handle.db, "account_manager", { email: "am.import@wootrecruit.example" });
  await makePlan(server.handle.db, { code: "import-growth", currency: "USD" });
});
afterAll(() => server?.close());

function csv(lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

function post(client: Client, kind: string, body: string, query = "", headers = {}) {
  return client.request({
    method: "POST",
    url: `/api/imports/${kind}${query}`,
    headers: { "content-type": "text/csv", ...headers },
    payload: body,
  });
}

async function accountNames(prefix: string): Promise<string[]> {
  const rows = await server.handle.db
    .selectFrom("accounts")
    .select("name")
    .where("external_ref", "like", `${prefix}%`)
    .orderBy("external_ref")
    .execute();
  return rows.map((r) => r.name);
}

describe("importing a CSV file over HTTP", () => {
  it("refuses anonymous callers, account managers and CSMs", async () => {
    const file = csv(["external_ref,name", "NO-1,Nope Staffing"]);
    expect((await post(anonymous(server.app), "accounts", file)).statusCode).toBe(401);
    for (const role of ["account_manager", "csm"] as const) {
      const response = await post(await clientFor(server, role), "accounts", file);
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe("FORBIDDEN");
    }
    expect(await accountNames("NO-")).toEqual([]);
  });

  it("imports a good file of accounts, then contacts and subscriptions that name them", async () => {
    const accounts = await post(
      admin,
      "accounts",
      csv([
        "external_ref,name,account_manager_email,country,segment",
        "H1-1,Northwind Staffing,am.import@wootrecruit.example,US,smb",
        'H1-2,"Bluebird Health, Inc.",,GB,enterprise',
      ]),
    );
    expect(accounts.statusCode).toBe(200);
    expect(accounts.json()).toEqual({
      kind: "accounts",
      dryRun: false,
      refused: false,
      total: 2,
      valid: 2,
      imported: 2,
      invalidRows: 0,
      problemCount: 0,
      problems: [],
    });
    expect(await accountNames("H1-")).toEqual(["Northwind Staffing", "Bluebird Health, Inc."]);

    const contacts = await post(
      admin,
      "contacts",
      csv([
        "account_external_ref,external_ref,name,role,email,authorised_to_cancel",
        "H1-1,H1-C1,Dana Reyes,owner,dana@northwind.example,yes",
      ]),
      "",
      // As a browser may label a file it sends.
      { "content-type": "text/csv; charset=utf-8" },
    );
    expect(contacts.json()).toMatchObject({ kind: "contacts", imported: 1 });
    const subscriptions = await post(
      admin,
      "subscriptions",
      csv([
        "account_external_ref,external_ref,plan_code,seats,monthly_value_minor,currency,current_period_start,current_period_end",
        "H1-1,H1-S1,import-growth,10,49900,USD,2026-01-01,2027-01-01",
      ]),
    );
    expect(subscriptions.json()).toMatchObject({ kind: "subscriptions", imported: 1 });
  });

  it("imports nothing from a file with a bad row, and names its line and column", async () => {
    const response = await post(
      admin,
      "accounts",
      csv([
        "external_ref,name,country",
        "H2-1,Harborview Retail,CA",
        "H2-2,,CA",
        "H2-3,Summit Logistics,Canada",
      ]),
    );
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe("IMPORT_REFUSED");
    expect(body.message).toBe(
      "Nothing was imported: 2 of 3 rows have problems. Line 3, name: is required. Fix them and " +
        "send the file again, or send it with skipInvalid=true to import the other 1 row.",
    );
    expect(body.details.report).toMatchObject({ refused: true, imported: 0, invalidRows: 2 });
    expect(body.details.report.problems).toEqual([
      { line: 3, field: "name", message: "is required" },
      { line: 4, field: "country", message: "must be a two-letter ISO 3166 country code, e.g. US" },
    ]);
    expect(await accountNames("H2-")).toEqual([]);
  });

  it("a dry run checks the file and writes nothing; skipInvalid imports the good rows", async () => {
    const file = csv(["external_ref,name", "H3-1,Cedar Partners", "H3-2,"]);
    const dryRun = await post(
      admin,
      "accounts",
      csv(["external_ref,name", "H3-1,Cedar"]),
      "?dryRun=true",
    );
    expect(dryRun.statusCode).toBe(200);
    expect(dryRun.json()).toMatchObject({ dryRun: true, valid: 1, imported: 0 });
    expect(await accountNames("H3-")).toEqual([]);

    const skipping = await post(admin, "accounts", file, "?skipInvalid=true");
    expect(skipping.statusCode).toBe(200);
    expect(skipping.json()).toMatchObject({
      imported: 1,
      invalidRows: 1,
      problems: [{ line: 3, field: "name", message: "is required" }],
    });
    expect(await accountNames("H3-")).toEqual(["Cedar Partners"]);
  });

  it("refuses a file that is not of the kind named, with the header's problem", async () => {
    const response = await post(admin, "contacts", csv(["external_ref,name", "H4-1,Nope"]));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: "IMPORT_REFUSED",
      message: expect.stringMatching(
        /^Nothing was imported: the file cannot be read as contacts\. Line 1, /,
      ),
    });
  });

  it("refuses another content type, an unknown kind and a file over 5 MiB, clearly", async () => {
    const json = await admin.request({
      method: "POST",
      url: "/api/imports/accounts",
      payload: { rows: [] },
    });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toEqual({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: "Send the file with Content-Type: text/csv.",
    });

    const unknown = await post(admin, "plans", csv(["code", "x"]));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().fields).toEqual([
      { field: "kind", message: "must be one of accounts, contacts, subscriptions" },
    ]);

    const row = "H5-1,Far Too Large Staffing\n";
    const huge = `external_ref,name\n${row.repeat(Math.ceil((5 * 1024 * 1024) / row.length) + 1)}`;
    const tooLarge = await post(admin, "accounts", huge);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({
      code: "BODY_TOO_LARGE",
      message: "The request body is too large: this request takes at most 5 MiB.",
    });
    expect(await accountNames("H5-")).toEqual([]);
  });

  it("answers a retry with the same Idempotency-Key with the first answer, importing once", async () => {
    const file = csv(["external_ref,name", "H6-1,Juniper Search"]);
    const headers = { "idempotency-key": "import-h6-0001" };
    const first = await post(admin, "accounts", file, "", headers);
    const again = await post(admin, "accounts", file, "", headers);
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json()).toEqual(first.json());
    expect(await accountNames("H6-")).toEqual(["Juniper Search"]);
  });

  it("tells the web page the kinds and their columns, and is in the OpenAPI document", async () => {
    const kinds = await admin.request({ method: "GET", url: "/api/imports" });
    expect(kinds.json().maxBytes).toBe(5 * 1024 * 1024);
    expect(kinds.json().kinds[0]).toEqual({
      kind: "accounts",
      required: ["external_ref", "name"],
      optional: ["account_manager_email", "csm_email", "country", "time_zone", "segment"],
    });
    const doc = (await server.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    const operation = doc.paths["/api/imports/{kind}"].post;
    expect(Object.keys(operation.requestBody.content)).toEqual(["text/csv"]);
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["kind", "dryRun", "skipInvalid", "idempotency-key"]),
    );
    expect(operation.responses["413"].description).toBe("BODY_TOO_LARGE: the body is over 5 MiB");
    expect(operation.responses["415"].description).toBe("UNSUPPORTED_MEDIA_TYPE: send text/csv");
  });
});
