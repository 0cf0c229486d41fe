// Workspace settings: the public branding the customer pages show, and the admin's screen for it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  anonymous,
  type Client,
  clientFor,
  invalidFields,
  startTestServer,
  type TestServer,
} from "./app.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
});
afterAll(() => server?.close());

describe("settings", () => {
  it("refuses anonymous callers and non-admins", async () => {
    const get = await anonymous(server.app).request({ method: "GET", url: "/api/settings" });
    expect(get.statusCode).toBe(401);
    const am = await clientFor(server, "account_manager");
    const patch = await am.request({
      method: "PATCH",
      url: "/api/settings",
      payload: { companyName: "Nope" },
    });
    expect(patch.statusCode).toBe(403);
  });

  it("answers the defaults, then what an admin sets, publicly as branding", async () => {
    const before = await admin.request({ method: "GET", url: "/api/settings" });
    expect(before.json()).toEqual({
      companyName: "WootRecruit",
      logoUrl: null,
      saveValidationDays: 30,
    });
    const logo = "https://cdn.example.com/logo.png";
    const patch = await admin.request({
      method: "PATCH",
      url: "/api/settings",
      payload: { companyName: "  Acme Hiring ", logoUrl: logo },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json()).toEqual({
      companyName: "Acme Hiring",
      logoUrl: logo,
      saveValidationDays: 30,
    });

    const branding = await anonymous(server.app).request({
      method: "GET",
      url: "/api/public/branding",
    });
    expect(branding.statusCode).toBe(200);
    expect(branding.json()).toEqual({ companyName: "Acme Hiring", logoUrl: logo });

    // An empty logo URL clears it.
    const cleared = await admin.request({
      method: "PATCH",
      url: "/api/settings",
      payload: { logoUrl: "", saveValidationDays: 45 },
    });
    expect(cleared.json()).toMatchObject({ logoUrl: null, saveValidationDays: 45 });
  });

  it.each([
    [{ companyName: "" }, "companyName"],
    [{ companyName: 12 }, "companyName"],
    [{ logoUrl: "http://insecure.example.com/logo.png" }, "logoUrl"],
    [{ logoUrl: "javascript:alert(1)" }, "logoUrl"],
    [{ saveValidationDays: 400 }, "saveValidationDays"],
    [{ saveValidationDays: 1.5 }, "saveValidationDays"],
    [{ saveValidationDays: "30" }, "saveValidationDays"],
  ])("refuses %j naming %s, and keeps what was stored", async (payload, field) => {
    const before = (await admin.request({ method: "GET", url: "/api/settings" })).json();
    const response = await admin.request({ method: "PATCH", url: "/api/settings", payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("VALIDATION_FAILED");
    expect(invalidFields(response)).toContain(field);
    expect((await admin.request({ method: "GET", url: "/api/settings" })).json()).toEqual(before);
  });

  it("names every field that is wrong at once, not only the first", async () => {
    const response = await admin.request({
      method: "PATCH",
      url: "/api/settings",
      payload: {
        companyName: " ",
        logoUrl: "http://insecure.example.com/logo.png",
        saveValidationDays: 999,
      },
    });
    expect(response.statusCode).toBe(400);
    expect(invalidFields(response).sort()).toEqual([
      "companyName",
      "logoUrl",
      "saveValidationDays",
    ]);
  });
});
