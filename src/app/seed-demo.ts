// Demo data for trying CancelDesk out: WootRecruit's staff, its plans, and about 200 customer
// accounts (staffing agencies, hospitals, retailers, tech companies) with their contacts and
// subscriptions, and eleven sample cases at every state a desk shows (seed-demo-cases.ts).
// Generated from a seeded random sequence, so every demo database is the same.
import { sql } from "kysely";
import { insertAccounts } from "../db/repositories/accounts.repository.ts";
import type { ContactValues } from "../db/repositories/contacts.repository.ts";
import { insertContacts } from "../db/repositories/contacts.repository.ts";
import { insertPlan } from "../db/repositories/plans.repository.ts";
import type { SubscriptionValues } from "../db/repositories/subscriptions.repository.ts";
import { insertSubscriptions } from "../db/repositories/subscriptions.repository.ts";
import { countUsers, insertUser } from "../db/repositories/users.repository.ts";
import type { ContactChannel, Plan, Segment, SubscriptionStatus } from "../domain/customer.ts";
import type { StaffRole } from "../domain/staff.ts";
import type { Db } from "./context.ts";
import { userCreateInput } from "./inputs.ts";
import { hashPassword } from "./secrets.ts";
import { seedDemoCases } from "./seed-demo-cases.ts";

/** Printed at start and in the README; long enough for the password rule (12 characters). */
export const DEMO_PASSWORD = "demo-password-2026";

export interface DemoSignIn {
  role: StaffRole;
  email: string;
  password: string;
  name: string;
}

export interface SeedDemoOptions {
  /** The server's SESSION_SECRET: the sample cases' links and codes are signed with it. */
  sessionSecret: string;
  /** The server's PUBLIC_URL, for the links in the sample cases' messages (dev mailbox). */
  publicUrl: string;
  /** A source of numbers in [0, 1); the default is a fixed-seed sequence. */
  random?: () => number;
  /** The moment subscription periods are laid around; defaults to the current time. */
  now?: Date;
  /**
   * Seed only a database without users (a first start), deciding that under a lock: servers
   * starting together on one empty database seed it once, and the others find it seeded.
   */
  onlyIfEmpty?: boolean;
  /**
   * Also make the sample cases (the default). Their steps are laid in the past and run after the
   * staff are committed, so another process's outbox worker or timers acting meanwhile would
   * deliver or expire them at the real time: ask for them only where this process is alone (the
   * embedded database, whose folder one process holds).
   */
  sampleCases?: boolean;
}

const DAY = 86_400_000;

/** mulberry32: a tiny, well-spread 32-bit generator; plenty for demo data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STAFF: { role: StaffRole; name: string }[] = [
  { role: "admin", name: "Alex Morgan" },
  { role: "account_manager", name: "Priya Shah" },
  { role: "account_manager", name: "Jordan Reyes" },
  { role: "account_manager", name: "Samuel Okafor" },
  { role: "account_manager", name: "Hannah Becker" },
  { role: "csm", name: "Maria Lopez" },
  { role: "csm", name: "Chris Walker" },
];

// Prices are per seat per month, in cents: WootRecruit sells recruiter seats.
const PLANS = [
  { code: "starter", name: "Starter", monthlyPriceMinor: 4_900 },
  { code: "growth", name: "Growth", monthlyPriceMinor: 8_900 },
  { code: "scale", name: "Scale", monthlyPriceMinor: 13_900 },
  { code: "enterprise", name: "Enterprise", monthlyPriceMinor: 19_900 },
] as const;
type PlanCode = (typeof PLANS)[number]["code"];

/** A comma-separated list written across lines, for the long lists of names below. */
function list(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

const NAME_STEMS = list(`
  Northwind, Bluebird, Harborview, Summit, Cedar Ridge, Ironwood, Lakeside, Meridian, Brightpath,
  Keystone, Silverline, Oakmont, Redwood, Pinnacle, Crescent, Evergreen, Granite, Horizon,
  Juniper, Beacon, Riverside, Westfield, Maple Leaf, Sterling, Copperfield, Highland, Bayside,
  Clearwater, Fairview, Foxglove, Lighthouse, Magnolia, Newbridge, Orchard, Parkside,
  Quarry Lane, Rosewood, Stonegate, Thornbury, Union Square, Valley, Willowbrook, Atlas,
  Brookline, Canopy, Driftwood, Emberly, Fieldstone, Greenleaf, Hawthorne, Kingsway, Larkspur,
  Midtown, Northstar, Old Mill, Prairie, Saltmarsh, Tidewater, Upland, Vantage, Wren, Zenith
`);

// Recruiting customers, with how likely each kind is and the segment they tend to fall in.
const INDUSTRIES: { suffixes: string[]; weight: number; segments: Segment[] }[] = [
  {
    suffixes: ["Staffing", "Talent Partners", "Recruitment", "Workforce Solutions", "Search Group"],
    weight: 30,
    segments: ["smb", "smb", "smb", "mid_market"],
  },
  {
    suffixes: ["Health System", "Medical Center", "Hospital", "Care Group", "Clinics"],
    weight: 18,
    segments: ["mid_market", "enterprise", "enterprise"],
  },
  {
    suffixes: ["Retail Group", "Markets", "Outfitters", "Home Stores", "Grocers"],
    weight: 17,
    segments: ["smb", "mid_market", "mid_market", "enterprise"],
  },
  {
    suffixes: ["Software", "Labs", "Analytics", "Cloud", "Technologies", "AI"],
    weight: 22,
    segments: ["smb", "smb", "mid_market", "enterprise"],
  },
  {
    suffixes: ["Logistics", "Manufacturing", "Hospitality Group", "Construction", "Foods"],
    weight: 13,
    segments: ["smb", "mid_market", "mid_market", "enterprise"],
  },
];

// Phone numbers from ranges kept for fiction and tests where a country has one, so the demo never
// dials a real person: 555-01xx in North America, Ofcom's drama range in the UK, ACMA's in
// Australia.
const COUNTRIES: {
  code: string;
  /** The time zone of the account's head office, for the times in its customers' messages. */
  timeZone: string;
  weight: number;
  phone: (r: () => number) => string;
}[] = [
  {
    code: "US",
    timeZone: "America/New_York",
    weight: 55,
    phone: (r) => `+1${pick(r, US_AREAS)}55501${digits(r, 2)}`,
  },
  {
    code: "CA",
    timeZone: "America/Toronto",
    weight: 8,
    phone: (r) => `+1${pick(r, ["416", "604", "514"])}55501${digits(r, 2)}`,
  },
  {
    code: "GB",
    timeZone: "Europe/London",
    weight: 14,
    phone: (r) => `+442079460${digits(r, 3)}`,
  },
  { code: "IE", timeZone: "Europe/Dublin", weight: 3, phone: (r) => `+35315550${digits(r, 3)}` },
  { code: "DE", timeZone: "Europe/Berlin", weight: 6, phone: (r) => `+49305550${digits(r, 4)}` },
  {
    code: "NL",
    timeZone: "Europe/Amsterdam",
    weight: 5,
    phone: (r) => `+31205550${digits(r, 3)}`,
  },
  {
    code: "AU",
    timeZone: "Australia/Sydney",
    weight: 9,
    phone: (r) => `+61491570${pick(r, ["006", "156", "157", "158", "159", "110"])}`,
  },
];
const US_AREAS = ["212", "312", "415", "512", "617", "206", "303", "404", "646", "713"];

const FIRST_NAMES = list(`
  Olivia, Liam, Emma, Noah, Ava, Ethan, Sophia, Mason, Isabella, Lucas, Mia, Aiden, Amelia,
  James, Harper, Benjamin, Evelyn, Elijah, Abigail, Daniel, Chloe, Mateo, Grace, Henry, Zoe, Leo,
  Nora, Owen, Aisha, Ravi, Mei, Kenji, Fatima, Diego, Ingrid, Tomás, Siobhan, Kwame, Leila,
  Anders
`);
const LAST_NAMES = list(`
  Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Martinez, Wilson, Anderson,
  Thomas, Taylor, Moore, Jackson, Martin, Lee, Thompson, White, Harris, Clark, Lewis, Robinson,
  Walker, Young, Allen, King, Wright, Nguyen, Patel, Kim, Okonkwo, Murphy, O'Brien, Schmidt,
  Van Dijk, Kowalski, Haddad, Tanaka, Lindqvist
`);

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function weighted<T extends { weight: number }>(r: () => number, items: readonly T[]): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let roll = r() * total;
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1]!;
}

function between(r: () => number, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

function digits(r: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(r() * 10);
  return s;
}

/** "Tomás O'Brien" -> "tomas.obrien", for an email's local part. */
function emailLocal(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z ]/g, "")
    .trim()
    .replace(/ +/g, ".");
}

function domainOf(company: string): string {
  // .example is reserved (RFC 2606): demo mail can never reach a real company.
  return `${emailLocal(company).replace(/\./g, "")}.example`;
}

const PLANS_BY_SEGMENT: Record<Segment, PlanCode[]> = {
  smb: ["starter", "starter", "growth"],
  mid_market: ["growth", "growth", "scale"],
  enterprise: ["scale", "enterprise", "enterprise"],
};
const SEATS_BY_SEGMENT: Record<Segment, [number, number]> = {
  smb: [2, 15],
  mid_market: [15, 80],
  enterprise: [80, 600],
};
const STATUSES: { status: SubscriptionStatus; weight: number }[] = [
  { status: "active", weight: 84 },
  { status: "paused", weight: 5 },
  { status: "cancellation_scheduled", weight: 6 },
  { status: "cancelled", weight: 5 },
];

function subscriptionFor(
  r: () => number,
  now: Date,
  segment: Segment,
  plan: Plan,
): Omit<SubscriptionValues, "accountId" | "externalRef"> {
  const [minSeats, maxSeats] = SEATS_BY_SEGMENT[segment];
  const seats = between(r, minSeats, maxSeats);
  // Larger contracts get a negotiated discount, in whole percent so the value stays in cents.
  const discountPercent =
    segment === "enterprise"
      ? between(r, 10, 25)
      : segment === "mid_market"
        ? pick(r, [0, 5, 10])
        : 0;
  const monthlyValueMinor = Math.round(
    (seats * plan.monthlyPriceMinor * (100 - discountPercent)) / 100,
  );
  const { status } = weighted(r, STATUSES);
  // Monthly periods; a cancelled subscription's last period ended a while ago.
  const daysIntoPeriod = between(r, 0, 29);
  const periodStart =
    status === "cancelled"
      ? new Date(now.getTime() - (daysIntoPeriod + between(r, 30, 120)) * DAY)
      : new Date(now.getTime() - daysIntoPeriod * DAY);
  const periodEnd = new Date(periodStart.getTime() + 30 * DAY);
  return {
    planId: plan.id,
    seats,
    monthlyValueMinor,
    currency: plan.currency,
    status,
    currentPeriodStart: periodStart,
    currentPeriodEnd: periodEnd,
    cancelAt: status === "cancellation_scheduled" ? periodEnd : null,
    cancelledAt: status === "cancelled" ? periodEnd : null,
  };
}

export async function seedDemo(
  db: Db,
  options: SeedDemoOptions,
): Promise<{ signIns: DemoSignIn[] }> {
  const r = options.random ?? seededRandom(2026);
  const now = options.now ?? new Date();

  const staff = STAFF.map((s) =>
    userCreateInput.parse({
      ...s,
      email: `${emailLocal(s.name)}@wootrecruit.example`,
      password: DEMO_PASSWORD,
    }),
  );
  // scrypt is slow on purpose; the seven hashes run side by side on libuv's thread pool.
  const hashes = await Promise.all(staff.map((s) => hashPassword(s.password)));

  const seeded = await db.transaction().execute(async (trx) => {
    if (options.onlyIfEmpty) {
      await sql`select pg_advisory_xact_lock(hashtext('canceldesk:seed-demo'))`.execute(trx);
      if ((await countUsers(trx)) > 0) return false;
    }
    const users = [];
    for (const [i, s] of staff.entries()) {
      users.push(await insertUser(trx, { ...s, passwordHash: hashes[i]! }));
    }
    const accountManagers = users.filter((u) => u.role === "account_manager");
    const csms = users.filter((u) => u.role === "csm");

    const plans = new Map<PlanCode, Plan>();
    for (const p of PLANS) plans.set(p.code, await insertPlan(trx, { ...p, currency: "USD" }));

    const companies: { name: string; segment: Segment; country: (typeof COUNTRIES)[number] }[] = [];
    const names = new Set<string>();
    while (companies.length < 200) {
      const industry = weighted(r, INDUSTRIES);
      const name = `${pick(r, NAME_STEMS)} ${pick(r, industry.suffixes)}`;
      if (names.has(name)) continue;
      names.add(name);
      companies.push({
        name,
        segment: pick(r, industry.segments),
        country: weighted(r, COUNTRIES),
      });
    }

    const accounts = await insertAccounts(
      trx,
      companies.map((c, i) => ({
        name: c.name,
        externalRef: `WR-A-${10_001 + i}`,
        accountManagerId: accountManagers[i % accountManagers.length]!.id,
        csmId: pick(r, csms).id,
        country: c.country.code,
        timeZone: c.country.timeZone,
        segment: c.segment,
      })),
    );

    const contacts: ContactValues[] = [];
    const subscriptions: SubscriptionValues[] = [];
    accounts.forEach((account, i) => {
      const company = companies[i]!;
      const domain = domainOf(company.name);
      const people = new Set<string>();
      const contactCount = between(r, 1, 4);
      for (let n = 0; n < contactCount; n++) {
        let person: string;
        do person = `${pick(r, FIRST_NAMES)} ${pick(r, LAST_NAMES)}`;
        while (people.has(person));
        people.add(person);
        // Every account has an owner who may cancel; a second contact is usually billing.
        const role = n === 0 ? "owner" : n === 1 && r() < 0.7 ? "billing_admin" : "user";
        const channel: ContactChannel = weighted(r, [
          { channel: "email" as const, weight: 65 },
          { channel: "phone" as const, weight: 20 },
          { channel: "sms" as const, weight: 15 },
        ]).channel;
        const hasPhone = channel !== "email" || r() < 0.6;
        contacts.push({
          accountId: account.id,
          externalRef: `WR-C-${account.externalRef!.slice(5)}-${n + 1}`,
          name: person,
          email: `${emailLocal(person)}@${domain}`,
          phone: hasPhone ? company.country.phone(r) : null,
          role,
          authorisedToCancel: role === "owner" || (role === "billing_admin" && r() < 0.8),
          preferredChannel: channel,
        });
      }
      const subscriptionCount = r() < 0.12 ? 2 : 1;
      for (let n = 0; n < subscriptionCount; n++) {
        const plan = plans.get(pick(r, PLANS_BY_SEGMENT[company.segment]))!;
        subscriptions.push({
          accountId: account.id,
          externalRef: `WR-S-${account.externalRef!.slice(5)}-${n + 1}`,
          ...subscriptionFor(r, now, company.segment, plan),
        });
      }
    });
    await insertContacts(trx, contacts);
    await insertSubscriptions(trx, subscriptions);
    return { accountManagers, csms };
  });
  // The cases run through the use cases, each step in its own transactions as the API runs it,
  // so they follow the commit; only the process that seeded the staff makes them.
  if (seeded && options.sampleCases !== false) {
    await seedDemoCases(db, {
      sessionSecret: options.sessionSecret,
      publicUrl: options.publicUrl,
      now,
      accountManagerIds: seeded.accountManagers.map((u) => u.id),
      csmIds: seeded.csms.map((u) => u.id),
    });
  }

  return {
    signIns: !seeded
      ? []
      : staff.map((s) => ({
          role: s.role,
          email: s.email,
          password: DEMO_PASSWORD,
          name: s.name,
        })),
  };
}
