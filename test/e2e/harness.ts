// A real CancelDesk for browser journeys: a fresh database (a copy of the migrated template) with
// the demo data, the built web app served by buildApp + listen on a free port, and Chromium.
// Customers' codes and links come from the outbox with the server's secret, as in test/cases.ts.
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { sql } from "kysely";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect, inject } from "vitest";
import type { AppContext } from "../../src/app/context.ts";
import { DEMO_PASSWORD, seedDemo } from "../../src/app/seed-demo.ts";
import type { DatabaseHandle } from "../../src/db/database.ts";
import { subscriptionLedger } from "../../src/integrations/billing/subscription-ledger.ts";
import { buildApp } from "../../src/server/app.ts";
import { DEFAULT_WEB_ROOT } from "../../src/server/routes/web/web-app.routes.ts";
import { TEST_SECRET, type TestServer } from "../app.ts";
import { sentCode, sentLink } from "../cases.ts";
import { createTestDatabase } from "../db.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "./browser.ts";

export const hasChromium = inject("chromium");
if (!hasChromium) {
  console.warn(
    `Skipping the browser journeys: no Chromium at ${CHROMIUM} (apt-get install -y chromium).`,
  );
}

const SCREENSHOTS = path.resolve("docs/screenshots");

export interface Customer {
  accountId: string;
  accountName: string;
  contactId: string;
  contactName: string;
  contactEmail: string;
  subscriptionId: string;
  amEmail: string;
  csmEmail: string;
}

export interface E2e {
  url: string;
  handle: DatabaseHandle;
  browser: Browser;
  /** Who the outbox helpers of test/cases.ts expect. */
  server: TestServer;
  close(): Promise<void>;
}

export async function startE2e(): Promise<E2e> {
  const handle = await createTestDatabase();
  await seedDemo(handle.db, { sessionSecret: TEST_SECRET, publicUrl: "http://127.0.0.1" });
  // The server's clock is the real one, moved forward by what a test advances it (an offer that
  // runs out while the page is open).
  let aheadMs = 0;
  const ctx: AppContext = {
    db: handle.db,
    now: () => new Date(Date.now() + aheadMs),
    sessionSecret: TEST_SECRET,
    billing: subscriptionLedger,
  };
  const app = await buildApp({
    ctx,
    publicUrl: "http://127.0.0.1",
    webRoot: DEFAULT_WEB_ROOT,
    signInLimit: { max: 1000, timeWindow: "1 minute" },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const clock = {
    get now() {
      return ctx.now();
    },
    advance(ms: number) {
      aheadMs += ms;
    },
  };
  return {
    url: `http://127.0.0.1:${port}`,
    handle,
    browser,
    server: { app, handle, ctx, clock, close: async () => {} },
    close: async () => {
      await browser.close();
      await app.close();
      await handle.close();
    },
  };
}

/** Demo accounts with one active subscription and an owner who may cancel and prefers email. */
export async function findCustomers(e2e: E2e, count: number): Promise<Customer[]> {
  const result = await sql<Customer>`
    select a.id as "accountId", a.name as "accountName", c.id as "contactId", c.name as "contactName",
           c.email as "contactEmail", s.id as "subscriptionId", am.email as "amEmail", csm.email as "csmEmail"
    from accounts a
    join contacts c on c.account_id = a.id and c.role = 'owner' and c.authorised_to_cancel
                   and c.preferred_channel = 'email' and c.email is not null
    join subscriptions s on s.account_id = a.id and s.status = 'active'
    join plans p on p.id = s.plan_id and p.code in ('growth', 'scale')
    join users am on am.id = a.account_manager_id
    join users csm on csm.id = a.csm_id
    where (select count(*) from subscriptions s2 where s2.account_id = a.id) = 1
      and (select count(*) from contacts c2 where c2.account_id = a.id and c2.email = c.email) = 1
    order by a.name
    limit ${count}`.execute(e2e.handle.db);
  if (result.rows.length < count) throw new Error("the demo data has too few suitable accounts");
  return result.rows;
}

export async function caseIdOf(e2e: E2e, reference: string): Promise<string> {
  const row = await e2e.handle.db
    .selectFrom("cases")
    .select("id")
    .where("reference", "=", reference)
    .executeTakeFirstOrThrow();
  return row.id;
}

export const codeSentFor = (e2e: E2e, where: { caseId: string } | { contactId: string }) =>
  sentCode(e2e.server, where);
export const linkSentFor = (
  e2e: E2e,
  caseId: string,
  topic: "form_link" | "offer_link" | "feedback_request",
) => sentLink(e2e.server, caseId, topic);

export async function staffContext(e2e: E2e): Promise<BrowserContext> {
  const context = await e2e.browser.newContext({
    baseURL: e2e.url,
    viewport: { width: 1366, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  context.on("page", (page) =>
    page.on("console", (m) => {
      // Refused requests (4xx) are part of the journeys; anything else the page logs is news.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
        console.error(`[browser] ${m.text()}`);
    }),
  );
  return context;
}

/** A phone-sized context of the customer's own: no staff cookie in it. */
export async function customerContext(e2e: E2e): Promise<BrowserContext> {
  const context = await e2e.browser.newContext({
    baseURL: e2e.url,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  context.setDefaultTimeout(10_000);
  context.on("page", (page) =>
    page.on("console", (m) => {
      // Refused requests (4xx) are part of the journeys; anything else the page logs is news.
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
        console.error(`[browser] ${m.text()}`);
    }),
  );
  return context;
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/");
  await page.getByLabel("Email").fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  try {
    await page.getByRole("heading", { name: "Queues" }).waitFor();
  } catch (error) {
    await page.screenshot({ path: path.resolve(".tmp/sign-in-failed.png") });
    throw error;
  }
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string) {
  // A dialog fading in has, for a moment, half-transparent text that fails the contrast check:
  // let finite transitions and animations end first (a spinner's endless one is left alone).
  await page.evaluate(`Promise.all(
    document.getAnimations()
      .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? NaN))
      .map((a) => a.finished.catch(() => undefined)),
  ).then(() => undefined)`);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`).join("; ")}`,
  );
  expect(summary, `accessibility of ${what}`).toEqual([]);
}

export async function screenshot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Picks an option of a Mantine Select by its label, with the keyboard-friendly combobox. */
export async function choose(page: Page, label: string | RegExp, option: string | RegExp) {
  await page.getByRole("combobox", { name: label, exact: typeof label === "string" }).click();
  await page.getByRole("option", { name: option }).first().click();
}

export async function caseReferenceFromUrl(page: Page): Promise<string> {
  await page.waitForURL(/\/cases\/CD-/);
  return decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
}

/** The engine's refusal for a blocked command, as the API gives it to this page's user. */
export async function blockedMessage(page: Page, reference: string, kind: string): Promise<string> {
  const response = await page.request.get(`/api/cases/${reference}`);
  const view = (await response.json()) as {
    nextActions: { blocked: { kind: string; refusal: { message: string } }[] };
  };
  const blocked = view.nextActions.blocked.find((b) => b.kind === kind);
  if (!blocked) throw new Error(`${kind} is not blocked on ${reference}`);
  return blocked.refusal.message;
}
