// The route-by-role table: for every route of the API, who may call it. The table is written out
// here by hand, so a route whose access changes (or a new route) fails this test until someone
// decides, on purpose, who may use it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StaffRole } from "../src/domain/staff.ts";
import { anonymous, type Client, clientFor, startTestServer, type TestServer } from "./app.ts";

type Who = "public" | StaffRole;
const AM: Who = "account_manager";
const CSM: Who = "csm";
const ADMIN: Who = "admin";
const STAFF = [AM, CSM, ADMIN];

const EXPECTED: Record<string, Who[]> = {
  "GET /api/openapi.json": ["public"],
  "POST /api/auth/sign-in": ["public"],
  "GET /api/auth/session": ["public"],
  "POST /api/auth/sign-out": STAFF,
  "GET /api/users": STAFF,
  "GET /api/users/:id": STAFF,
  "POST /api/users": [ADMIN],
  "PATCH /api/users/:id": [ADMIN],
  "GET /api/users/:id/open-cases": [ADMIN],
  "POST /api/users/:id/open-cases/hand-over": [ADMIN],
  "GET /api/api-keys": [ADMIN],
  "POST /api/api-keys": [ADMIN],
  "POST /api/api-keys/:id/revoke": [ADMIN],
  "GET /api/accounts": STAFF,
  "GET /api/accounts/:id": STAFF,
  "POST /api/accounts": [AM, ADMIN],
  "PATCH /api/accounts/:id": [AM, ADMIN],
  "GET /api/contacts": STAFF,
  "GET /api/contacts/:id": STAFF,
  "POST /api/contacts": [AM, ADMIN],
  "PATCH /api/contacts/:id": [AM, ADMIN],
  "GET /api/plans": STAFF,
  "GET /api/plans/:id": STAFF,
  "POST /api/plans": [ADMIN],
  "PATCH /api/plans/:id": [ADMIN],
  "GET /api/subscriptions": STAFF,
  "GET /api/subscriptions/:id": STAFF,
  "POST /api/subscriptions": [ADMIN],
  "PATCH /api/subscriptions/:id": [ADMIN],
  "POST /api/subscriptions/:id/reactivate": [AM, ADMIN],
  "GET /api/policy": STAFF,
  "GET /api/policy/versions": STAFF,
  "GET /api/policy/versions/:version": STAFF,
  "POST /api/policy/versions": [ADMIN],
  "GET /api/offers": STAFF,
  "POST /api/cases": STAFF,
  "GET /api/cases": STAFF,
  "GET /api/cases/counts": STAFF,
  "GET /api/cases/:id": STAFF,
  "GET /api/cases/:id/timeline": STAFF,
  "GET /api/cases/:id/messages": STAFF,
  "GET /api/cases/:id/offer-options": STAFF,
  "POST /api/cases/:id/identity/send-code": STAFF,
  "POST /api/cases/:id/identity/confirm-code": STAFF,
  "POST /api/cases/:id/identity/security-check": STAFF,
  "POST /api/cases/:id/form/send": STAFF,
  "POST /api/cases/:id/form/resend": STAFF,
  "POST /api/cases/:id/reason": STAFF,
  "POST /api/cases/:id/offers": STAFF,
  "POST /api/cases/:id/offers/:offerCode/answer": STAFF,
  "POST /api/cases/:id/no-suitable-offer": STAFF,
  "POST /api/cases/:id/escalate": STAFF,
  // Only a CSM may, but that is the policy's rule: the engine answers 409 CSM_ROLE_REQUIRED.
  "POST /api/cases/:id/csm/engage": STAFF,
  "POST /api/cases/:id/csm/outcome": STAFF,
  "POST /api/cases/:id/process": STAFF,
  "POST /api/cases/:id/confirmation": STAFF,
  "POST /api/cases/:id/feedback/request": STAFF,
  "POST /api/cases/:id/withdraw": STAFF,
  "POST /api/cases/:id/close": STAFF,
  "POST /api/cases/:id/notes": STAFF,
  "POST /api/cases/:id/reassign": STAFF,
  // Documentation and proof, data protection.
  "GET /api/cases/:id/documentation": STAFF,
  "GET /api/audit/verify": [ADMIN],
  "GET /api/contacts/:id/export": [ADMIN],
  "POST /api/contacts/:id/erase": [ADMIN],
  "POST /api/public/self-service/start": ["public"],
  "POST /api/public/self-service/verify": ["public"],
  "POST /api/public/identity/confirm-code": ["public"],
  "GET /api/public/branding": ["public"],
  "GET /api/public/links/:token": ["public"],
  "POST /api/public/links/:token/form": ["public"],
  "POST /api/public/links/:token/offer": ["public"],
  "POST /api/public/links/:token/feedback": ["public"],
  "GET /api/webhooks/endpoints": [ADMIN],
  "POST /api/webhooks/endpoints": [ADMIN],
  "GET /api/webhooks/endpoints/:id": [ADMIN],
  "PATCH /api/webhooks/endpoints/:id": [ADMIN],
  "DELETE /api/webhooks/endpoints/:id": [ADMIN],
  "POST /api/webhooks/endpoints/:id/rotate-secret": [ADMIN],
  "GET /api/webhooks/deliveries": [ADMIN],
  "GET /api/webhooks/deliveries/:id": [ADMIN],
  "POST /api/webhooks/deliveries/:id/replay": [ADMIN],
  "GET /api/messages/failed": [ADMIN],
  "POST /api/messages/:id/retry": [ADMIN],
  "GET /api/call-tasks": STAFF,
  "GET /api/dev/mailbox": [ADMIN],
  "GET /api/dev/mailbox/:id": [ADMIN],
  "POST /api/integrations/sms/status": ["public"],
  "GET /api/analytics/overview": STAFF,
  "GET /api/analytics/save-rates": STAFF,
  "GET /api/analytics/reasons": STAFF,
  "GET /api/analytics/step-times": STAFF,
  "GET /api/analytics/sla": STAFF,
  "GET /api/analytics/forms": STAFF,
  "GET /api/analytics/feedback": STAFF,
  "GET /api/analytics/adherence": STAFF,
  "GET /api/analytics/cases": STAFF,
  "GET /api/settings": [ADMIN],
  "PATCH /api/settings": [ADMIN],
  "GET /api/imports": [ADMIN],
  "POST /api/imports/:kind": [ADMIN],
};

let server: TestServer;
const clients = {} as Record<StaffRole, Client>;
const apiKeys = {} as Record<StaffRole, string>;

beforeAll(async () => {
  server = await startTestServer();
  for (const role of ["account_manager", "csm", "admin"] as const)
    clients[role] = await clientFor(server, role);
  for (const role of ["account_manager", "csm", "admin"] as const) {
    const response = await clients.admin.request({
      method: "POST",
      url: "/api/api-keys",
      payload: { name: `key ${role}`, role },
    });
    apiKeys[role] = response.json().key;
  }
});
afterAll(() => server?.close());

function call(key: string) {
  const [method, url] = key.split(" ") as [string, string];
  return {
    method: method as "GET",
    url: url
      .replace(":id", randomUUID())
      .replace(":version", "1")
      .replace(":offerCode", "x")
      .replace(":kind", "accounts"),
    ...(method === "GET" ? {} : { payload: {} }),
  };
}

describe("route access", () => {
  it("the table names every route the server has, and no other", () => {
    const actual = server.app.routeAccess.map((r) => `${r.method} ${r.url}`).sort();
    expect(actual).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [key, allowed] of Object.entries(EXPECTED)) {
    if (allowed.includes("public")) continue;
    it(`${key}: refuses anonymous callers with 401`, async () => {
      const response = await anonymous(server.app).request(call(key));
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe("UNAUTHENTICATED");
    });
    for (const role of ["account_manager", "csm", "admin"] as const) {
      const may = allowed.includes(role);
      it(`${key}: ${may ? "lets" : "refuses"} a signed-in ${role}`, async () => {
        // Signing out ends the session, so that call gets a session of its own.
        const client = key.endsWith("sign-out") ? await clientFor(server, role) : clients[role];
        const response = await client.request(call(key));
        if (may) expect([401, 403]).not.toContain(response.statusCode);
        else {
          expect(response.statusCode).toBe(403);
          expect(response.json().code).toBe("FORBIDDEN");
        }
      });
      it(`${key}: ${may ? "lets" : "refuses"} an API key with the ${role} role`, async () => {
        const response = await server.app.inject({
          ...call(key),
          headers: { authorization: `Bearer ${apiKeys[role]}` },
        });
        if (may) expect([401, 403]).not.toContain(response.statusCode);
        else expect(response.statusCode).toBe(403);
      });
    }
  }
});
