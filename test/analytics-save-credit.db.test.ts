// Whom and what a save is credited to: a save the AM made without escalating is not the account
// CSM's, and a save by a downgrade counts under the plan the customer was on before it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, signInAs, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  makeWorld,
  openWithFormSent,
  sentLink,
  staffClient,
  submitFormAsCustomer,
  type World,
} from "./cases.ts";

let server: TestServer;
let viewer: Client;
let world: World;

async function saveRates(dimension: string) {
  const client = await signInAs(server.app, viewer.user!);
  const response = await client.request({
    method: "GET",
    url: "/api/analytics/save-rates",
    query: { dimension },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().rows as { key: string | null; decided: number; retained: number }[];
}

beforeAll(async () => {
  server = await startTestServer();
  viewer = await staffClient(server, "admin");
  // The AM saves a Growth customer by moving them to Starter; no CSM is involved.
  world = await makeWorld(server);
  const c = await openWithFormSent(server, world);
  await submitFormAsCustomer(server, c.id);
  await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
  await act(world.am, c.id, "offers", { offerCode: "downgrade_starter" });
  const answered = await server.app.inject({
    method: "POST",
    url: `/api/public/links/${await sentLink(server, c.id, "offer_link")}/offer`,
    payload: { answer: "accepted" },
  });
  expect(answered.json()).toMatchObject({ outcome: "retained" });
});
afterAll(() => server?.close());

describe("save credit", () => {
  it("does not credit the account's CSM with a save never escalated to them", async () => {
    expect(await saveRates("csm")).toEqual([]);
    expect(await saveRates("am")).toEqual([
      expect.objectContaining({ key: world.am.user!.id, decided: 1, retained: 1 }),
    ]);
  });

  it("counts a downgrade save under the plan the customer was on before it", async () => {
    expect(await saveRates("plan")).toEqual([
      expect.objectContaining({ key: "growth", decided: 1, retained: 1 }),
    ]);
  });
});
