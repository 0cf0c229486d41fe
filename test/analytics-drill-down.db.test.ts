// Every analytics figure that opens the cases behind it lists exactly as many cases as it shows:
// the page's own links (drill-filters.ts) are followed through GET /api/analytics/cases for every
// row of every report. The cases are chosen so a looser filter would list more: one AM has a
// cancellation, a save and two withdrawals (one after the form was sent, one before).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAVE_RATE_DIMENSIONS } from "../src/db/repositories/analytics.repository.ts";
import type {
  AdherenceJson,
  FeedbackJson,
  FormsJson,
  OverviewJson,
  PeriodJson,
  ReasonsJson,
  SaveRatesJson,
  SlaJson,
} from "../web/features/analytics/api/analytics.ts";
import {
  casesHref,
  type DrillFilter,
  drillFilters,
} from "../web/features/analytics/api/drill-filters.ts";
import { type Client, signInAs, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  ensurePlan,
  escalateWithoutOffer,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  saveByDiscount,
  sentLink,
  staffClient,
  type World,
} from "./cases.ts";
import { makeAccount, makeContact, makeSubscription } from "./factories.ts";

let server: TestServer;
let viewer: Client;
const HOUR = 3_600_000;

async function get<T>(url: string, query: Record<string, string> = {}): Promise<T> {
  const client = await signInAs(server.app, viewer.user!);
  const response = await client.request({ method: "GET", url, query });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}

/** Another customer of the same AM and CSM. */
async function sameTeam(world: World): Promise<World> {
  const db = server.handle.db;
  const planId = await ensurePlan(server, "growth", 49_900);
  const account = await makeAccount(db, {
    accountManagerId: world.am.user!.id,
    csmId: world.csm.user!.id,
  });
  const contact = await makeContact(db, account.id, { preferredChannel: "email" });
  const subscription = await makeSubscription(db, account.id, planId, server.clock.now);
  return {
    ...world,
    accountId: account.id,
    contactId: contact.id,
    subscriptionId: subscription.id,
  };
}

beforeAll(async () => {
  server = await startTestServer();
  viewer = await staffClient(server, "admin");
  const world = await makeWorld(server);

  // A cancellation whose CSM engaged 25 hours after the escalation (SLA: 24 hours).
  {
    const c = await openCaseFor(world);
    await escalateWithoutOffer(server, world, c.id);
    server.clock.advance(25 * HOUR);
    const csm = await signInAs(server.app, world.csm.user!);
    const am = await signInAs(server.app, world.am.user!);
    await act(csm, c.id, "csm/engage", { notes: "Called the owner." });
    await act(csm, c.id, "csm/outcome", { outcome: "proceed", notes: "Final." });
    await act(am, c.id, "process");
    await act(am, c.id, "confirmation", { channel: "email" });
    await act(am, c.id, "feedback/request");
    const survey = await server.app.inject({
      method: "POST",
      url: `/api/public/links/${await sentLink(server, c.id, "feedback_request")}/feedback`,
      payload: { rating: 2, decisionReason: "too_expensive", comments: "" },
    });
    expect(survey.statusCode, survey.body).toBe(200);
    await act(am, c.id, "close", { summary: "Cancelled at term end." });
    world.am = am;
    world.csm = csm;
  }
  // A save by the discount.
  {
    const w = await sameTeam(world);
    await saveByDiscount(server, w);
  }
  // A withdrawal after the form was sent (never submitted), and one before it was sent.
  {
    const w = await sameTeam(world);
    const c = await openWithFormSent(server, w);
    await act(w.am, c.id, "withdraw", { reason: "Found the budget after all." });
  }
  {
    const w = await sameTeam(world);
    const c = await openCaseFor(w);
    await act(w.am, c.id, "withdraw", { reason: "Called by mistake." });
  }
});
afterAll(() => server?.close());

/** How many cases the link opens (its filters, through the API the cases page calls). */
async function listed(period: PeriodJson, filter: DrillFilter, bucket?: string) {
  const query = Object.fromEntries(
    new URL(casesHref(period, filter, bucket), "http://x").searchParams,
  );
  const page = await get<{ items: unknown[]; nextCursor: string | null }>("/api/analytics/cases", {
    ...query,
    limit: "200",
  });
  expect(page.nextCursor).toBeNull();
  return page.items.length;
}

describe("analytics drill-downs", () => {
  it("list as many cases as every figure that opens them shows", async () => {
    const checks: [string, number, Promise<number>][] = [];
    const check = (name: string, figure: number, count: Promise<number>) =>
      checks.push([name, figure, count]);

    const overview = await get<OverviewJson>("/api/analytics/overview");
    for (const r of overview.series) {
      for (const status of ["validated", "pending", "lost"] as const) {
        check(
          `saves ${status} ${r.bucket}`,
          r[status],
          listed(overview.period, drillFilters.saves(status), r.bucket),
        );
      }
      for (const outcome of ["cancelled", "withdrawn"] as const) {
        check(
          `${outcome} ${r.bucket}`,
          r[outcome],
          listed(overview.period, drillFilters.outcome(outcome), r.bucket),
        );
      }
    }

    // Every dimension the API answers for.
    for (const dimension of SAVE_RATE_DIMENSIONS) {
      const rates = await get<SaveRatesJson>("/api/analytics/save-rates", { dimension });
      expect(rates.rows.length, dimension).toBeGreaterThan(0);
      for (const r of rates.rows) {
        const filter = drillFilters.saveRateDecided(dimension, r.key);
        if (filter)
          check(`decided by ${dimension} ${r.key}`, r.decided, listed(rates.period, filter));
      }
    }

    const reasons = await get<ReasonsJson>("/api/analytics/reasons");
    for (const r of reasons.rows) {
      const filter = drillFilters.reasonCases(r.reasonCode);
      if (filter)
        check(
          `reason ${r.reasonCode} ${r.bucket}`,
          r.cases,
          listed(reasons.period, filter, r.bucket),
        );
    }

    const sla = await get<SlaJson>("/api/analytics/sla");
    check("escalated", sla.totals.escalated, listed(sla.period, drillFilters.slaEscalated()));
    for (const r of sla.rows) {
      check(
        `late ${r.csmName}`,
        r.late + r.neverEngaged,
        listed(sla.period, drillFilters.slaLate(r.csmId)),
      );
    }

    const forms = await get<FormsJson>("/api/analytics/forms");
    for (const r of forms.series) {
      check(
        `forms sent ${r.bucket}`,
        r.sent,
        listed(forms.period, drillFilters.formsSent(), r.bucket),
      );
      check(
        `forms submitted ${r.bucket}`,
        r.submitted,
        listed(forms.period, drillFilters.formsSubmitted(), r.bucket),
      );
      check(
        `forms not submitted ${r.bucket}`,
        r.sent - r.submitted,
        listed(forms.period, drillFilters.formsNotSubmitted(), r.bucket),
      );
    }

    const feedback = await get<FeedbackJson>("/api/analytics/feedback");
    for (const r of feedback.ratings) {
      check(
        `rated ${r.rating}`,
        r.responses,
        listed(feedback.period, drillFilters.feedbackRating(r.rating)),
      );
    }
    for (const r of feedback.reasons) {
      check(
        `feedback ${r.reasonCode}`,
        r.responses,
        listed(feedback.period, drillFilters.feedbackReason(r.reasonCode)),
      );
    }

    const adherence = await get<AdherenceJson>("/api/analytics/adherence");
    check(
      "falling short",
      adherence.totals.notAdherent,
      listed(adherence.period, drillFilters.notAdherent()),
    );
    for (const r of adherence.byAm) {
      check(
        `falling short ${r.amName}`,
        r.notAdherent,
        listed(adherence.period, drillFilters.notAdherentOfAm(r.amId)),
      );
    }
    expect(adherence.misses.length).toBeGreaterThan(0);
    for (const r of adherence.misses) {
      check(
        `missed ${r.step} ${r.rule}`,
        r.cases,
        listed(adherence.period, drillFilters.missed(r.step, r.rule)),
      );
    }

    const results = await Promise.all(
      checks.map(async ([name, figure, count]) => ({ name, figure, listed: await count })),
    );
    const mismatched = results.filter((r) => r.figure !== r.listed);
    expect(mismatched).toEqual([]);
    // The AM's four cases: 2 decided; 3 forms sent, 1 submitted... as the figures say.
    expect(results.find((r) => r.name.startsWith("decided by am"))).toMatchObject({ figure: 2 });
  });

  it("refuses an AM that is neither a user id nor none, naming the field", async () => {
    const client = await signInAs(server.app, viewer.user!);
    const response = await client.request({
      method: "GET",
      url: "/api/analytics/cases",
      query: { amId: "nobody" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([expect.objectContaining({ field: "amId" })]);
  });
});
