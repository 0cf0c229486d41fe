// Analytics as a user sees them: a handful of cases driven through the API (a cancellation with a
// late CSM, two saves of which one comes back within the window, a withdrawal), then the reports,
// their drill-downs and CSV exports, before and after the save validation window has passed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, signInAs, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  saveByDiscount,
  sentLink,
  staffClient,
  submitFormAsCustomer,
  type World,
} from "./cases.ts";

let server: TestServer;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const customer = (path: string, payload: Record<string, unknown>) =>
  server.app.inject({ method: "POST", url: `/api/public/links/${path}`, payload });

/** Sessions last 12 hours and these tests move the clock by days: sign in afresh. */
const fresh = (client: Client) => signInAs(server.app, client.user!);

async function get(client: Client, url: string, query: Record<string, string> = {}) {
  const response = await (await fresh(client)).request({ method: "GET", url, query });
  expect(response.statusCode, response.body).toBe(200);
  return response;
}

let cancelled: { world: World; id: string; reference: string };
let comeBack: { world: World; id: string };
let viewer: Client;

beforeAll(async () => {
  // Drill-down CSVs read 3 cases a page here, so the 4 closed cases take two pages.
  server = await startTestServer({ csvPageSize: 3 });
  viewer = await staffClient(server, "admin");

  // A cancellation whose CSM engaged a day and an hour after the escalation (SLA: 24 hours).
  {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "unused", notes: "No hiring planned." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "They are closing the team." });
    await act(world.am, c.id, "escalate");
    server.clock.advance(25 * HOUR);
    const csm = await fresh(world.csm);
    await act(csm, c.id, "csm/engage", { notes: "Called the owner." });
    await act(csm, c.id, "csm/outcome", { outcome: "proceed", notes: "Their decision is final." });
    const am = await fresh(world.am);
    await act(am, c.id, "process");
    await act(am, c.id, "confirmation", { channel: "email" });
    await act(am, c.id, "feedback/request");
    const survey = await customer(`${await sentLink(server, c.id, "feedback_request")}/feedback`, {
      rating: 2,
      decisionReason: "too_expensive",
      comments: "Too slow to answer.",
    });
    expect(survey.statusCode, survey.body).toBe(200);
    await act(am, c.id, "close", { summary: "Cancelled at term end." });
    cancelled = { world: { ...world, am, csm }, id: c.id, reference: c.reference };
  }

  // Two saves by the AM's discount, accepted by the customer through their link.
  const saved: { world: World; id: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const world = await makeWorld(server);
    const c = await saveByDiscount(server, world);
    saved.push({ world, id: c.id });
  }
  comeBack = saved[1]!;

  // A withdrawal.
  {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await act(world.am, c.id, "withdraw", { reason: "Found the budget after all." });
  }

  // Five days later the second saved customer asks to cancel again: that save did not hold.
  server.clock.advance(5 * DAY);
  const am = await fresh(comeBack.world.am);
  await openCaseFor({ ...comeBack.world, am });
});
afterAll(() => server?.close());

describe("analytics", () => {
  it("counts requests, outcomes and saves (pending, lost) with the save rate and value", async () => {
    const overview = (await get(viewer, "/api/analytics/overview")).json();
    expect(overview.saveValidationDays).toBe(30);
    expect(overview.period.buckets).toHaveLength(12);
    expect(overview.totals).toMatchObject({
      requests: 5,
      closed: 4,
      retained: 2,
      cancelled: 1,
      withdrawn: 1,
      unverified: 0,
      validated: 0,
      pending: 1,
      lost: 1,
      saveRate: 0.6667,
      validatedSaveRate: 0,
    });
    // The discount runs out, so the full monthly value is kept; the cancellation loses it all.
    expect(overview.totals.value).toEqual([
      { currency: "USD", keptMinor: 99_800, validatedKeptMinor: 0, lostMinor: 49_900 },
    ]);
  });

  it("validates the save that held once the window has passed, and keeps the lost one lost", async () => {
    // The saves were 3 months at 20% off: 31 days on, the discount still runs, so the save that
    // held is still pending; its 30-day window starts when the discount ends.
    server.clock.advance(31 * DAY);
    const whileDiscounted = (await get(viewer, "/api/analytics/overview")).json();
    expect(whileDiscounted.totals).toMatchObject({ validated: 0, pending: 1, lost: 1 });
    const pending = (await get(viewer, "/api/analytics/cases", { saveStatus: "pending" })).json();
    expect(pending.items).toHaveLength(1);
    server.clock.advance(92 * DAY);
    try {
      const overview = (await get(viewer, "/api/analytics/overview")).json();
      expect(overview.totals).toMatchObject({ validated: 1, pending: 0, lost: 1 });
      const lost = (await get(viewer, "/api/analytics/cases", { saveStatus: "lost" })).json().items;
      expect(lost.map((r: { caseId: string }) => r.caseId)).toEqual([comeBack.id]);
      const byOffer = (
        await get(viewer, "/api/analytics/save-rates", { dimension: "offer" })
      ).json();
      expect(byOffer.rows).toEqual([
        expect.objectContaining({
          key: "discount_20_3m",
          decided: 2,
          retained: 2,
          validated: 1,
          lost: 1,
          saveRate: 1,
          validatedSaveRate: 0.5,
        }),
      ]);
    } finally {
      server.clock.advance(-123 * DAY);
    }
  });

  it("breaks the save rate down by reason and by AM, with names", async () => {
    const byReason = (
      await get(viewer, "/api/analytics/save-rates", { dimension: "reason" })
    ).json();
    const rows = Object.fromEntries(byReason.rows.map((r: { key: string }) => [r.key, r]));
    expect(rows.too_expensive).toMatchObject({ decided: 2, retained: 2, saveRate: 1 });
    expect(rows.unused).toMatchObject({ decided: 1, cancelled: 1, saveRate: 0 });
    const byAm = (await get(viewer, "/api/analytics/save-rates", { dimension: "am" })).json();
    const mine = byAm.rows.find((r: { key: string }) => r.key === cancelled.world.am.user!.id);
    expect(mine).toMatchObject({ label: cancelled.world.am.user!.name, cancelled: 1 });
  });

  it("judges adherence: the late CSM falls short at step 4, and the drill-down lists it", async () => {
    const adherence = (await get(viewer, "/api/analytics/adherence")).json();
    expect(adherence.totals).toMatchObject({ closed: 4, adherent: 3, notAdherent: 1 });
    expect(adherence.misses).toEqual([
      expect.objectContaining({ step: "escalation_to_csm", rule: "CSM_SLA_MISSED", cases: 1 }),
    ]);
    const am = adherence.byAm.find((r: { amId: string }) => r.amId === cancelled.world.am.user!.id);
    expect(am).toMatchObject({ closed: 1, notAdherent: 1, adherenceRate: 0 });

    const list = (await get(viewer, "/api/analytics/cases", { adherent: "false" })).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      reference: cancelled.reference,
      outcome: "cancelled",
      adherent: false,
      misses: [expect.objectContaining({ step: "escalation_to_csm", rule: "CSM_SLA_MISSED" })],
    });
  });

  it("reports CSM SLA compliance, time in each step, forms, reasons and feedback", async () => {
    const sla = (await get(viewer, "/api/analytics/sla")).json();
    expect(sla.totals).toMatchObject({ escalated: 1, met: 0, late: 1, compliance: 0 });
    expect(sla.rows[0].csmName).toBe(cancelled.world.csm.user!.name);

    const steps = (await get(viewer, "/api/analytics/step-times")).json();
    const csmStep = steps.rows.find((r: { step: string }) => r.step === "escalation_to_csm");
    expect(csmStep).toMatchObject({ number: 4, cases: 1 });
    // Read from a log-scale histogram: within 5% of the 25 hours it took.
    expect(Math.abs(csmStep.medianSeconds / (25 * 3600) - 1)).toBeLessThan(0.05);

    const forms = (await get(viewer, "/api/analytics/forms")).json();
    expect(forms.totals).toEqual({ sent: 4, submitted: 3, completionRate: 0.75 });

    const reasons = (await get(viewer, "/api/analytics/reasons")).json();
    expect(reasons.reasons.map((r: { code: string; cases: number }) => [r.code, r.cases])).toEqual([
      ["too_expensive", 2],
      ["unused", 1],
    ]);

    const feedback = (await get(viewer, "/api/analytics/feedback")).json();
    expect(feedback.totals).toEqual({ responses: 1, averageRating: 2 });
    expect(feedback.ratings[1]).toEqual({ rating: 2, responses: 1 });
    expect(feedback.reasons).toEqual([
      expect.objectContaining({ reasonCode: "too_expensive", responses: 1, averageRating: 2 }),
    ]);
  });

  it("filters by period: a period before the cases shows none", async () => {
    const overview = (
      await get(viewer, "/api/analytics/overview", {
        from: "2020-01-01",
        to: "2020-03-01",
        bucket: "week",
      })
    ).json();
    expect(overview.totals).toMatchObject({ requests: 0, closed: 0 });
    expect(overview.period.buckets[0]).toBe("2019-12-30");
  });

  it("exports every table as CSV with a header row", async () => {
    const csv = await get(viewer, "/api/analytics/overview", { format: "csv" });
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toContain("canceldesk-overview.csv");
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe(
      "bucket,requests,closed,retained,saves_validated,saves_pending,saves_lost,cancelled,withdrawn,unverified,reactivated,save_rate,validated_save_rate",
    );
    expect(lines).toHaveLength(13);

    const cases = await get(viewer, "/api/analytics/cases", {
      format: "csv",
      outcome: "cancelled",
    });
    const [header, row] = cases.body.trim().split("\r\n");
    expect(header!.split(",")[0]).toBe("reference");
    expect(row).toContain(cancelled.reference);
    expect(row).toContain("escalation_to_csm: CSM_SLA_MISSED");

    // Every case behind the figure, across the pages the CSV is read in, each once.
    const all = await get(viewer, "/api/analytics/cases", { format: "csv" });
    const listed = await get(viewer, "/api/analytics/cases", { limit: "200" });
    const references = all.body
      .trim()
      .split("\r\n")
      .slice(1)
      .map((line) => line.split(",")[0]);
    expect(references).toHaveLength(4);
    expect(references).toEqual(
      listed.json().items.map((item: { reference: string }) => item.reference),
    );

    for (const [url, query] of [
      ["/api/analytics/overview", { table: "value" }],
      ["/api/analytics/save-rates", { dimension: "plan" }],
      ["/api/analytics/reasons", {}],
      ["/api/analytics/step-times", {}],
      ["/api/analytics/sla", {}],
      ["/api/analytics/forms", {}],
      ["/api/analytics/feedback", { table: "reasons" }],
      ["/api/analytics/adherence", { table: "misses" }],
    ] as const) {
      const response = await get(viewer, url, { ...query, format: "csv" });
      expect(response.body.split("\r\n")[0]!.length, url).toBeGreaterThan(0);
    }
  });

  it("refuses a period that ends before it starts, naming the field", async () => {
    const response = await (await fresh(viewer)).request({
      method: "GET",
      url: "/api/analytics/overview",
      query: { from: "2026-05-01", to: "2026-04-01" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([{ field: "from", message: "must be before to" }]);
  });

  it("answers every analytics route with its defaults, as the benchmark calls them", async () => {
    const spec = (await server.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    const urls = Object.entries(spec.paths as Record<string, Record<string, { tags?: string[] }>>)
      .filter(([, ops]) => ops.get?.tags?.includes("analytics"))
      .map(([url]) => url);
    expect(urls).toHaveLength(9);
    for (const url of urls) await get(viewer, url);
  });
});
