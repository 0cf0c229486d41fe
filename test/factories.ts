// Builders of test data with sensible defaults, so each test names only what it is about.
import { randomUUID } from "node:crypto";
import type { Db } from "../src/app/context.ts";
import { createUser } from "../src/app/manage-users.ts";
import { insertAccounts } from "../src/db/repositories/accounts.repository.ts";
import { insertContacts } from "../src/db/repositories/contacts.repository.ts";
import { insertPlan } from "../src/db/repositories/plans.repository.ts";
import { insertSubscriptions } from "../src/db/repositories/subscriptions.repository.ts";
import type { ContactChannel, ContactRole } from "../src/domain/customer.ts";
import type { StaffRole } from "../src/domain/staff.ts";

export const TEST_PASSWORD = "correct horse battery staple";

export async function makeUser(
  db: Db,
  role: StaffRole,
  overrides: { email?: string; name?: string } = {},
) {
  const suffix = randomUUID().slice(0, 8);
  return createUser(db, {
    email: overrides.email ?? `${role}-${suffix}@example.test`,
    name: overrides.name ?? `Test ${role} ${suffix}`,
    role,
    password: TEST_PASSWORD,
  });
}

export async function makePlan(
  db: Db,
  overrides: { code?: string; monthlyPriceMinor?: number; currency?: string } = {},
) {
  return insertPlan(db, {
    code: overrides.code ?? `plan-${randomUUID().slice(0, 8)}`,
    name: "Growth",
    monthlyPriceMinor: overrides.monthlyPriceMinor ?? 49_900,
    currency: overrides.currency ?? "USD",
  });
}

export async function makeAccount(
  db: Db,
  overrides: {
    name?: string;
    accountManagerId?: string | null;
    csmId?: string | null;
    externalRef?: string;
  } = {},
) {
  const [account] = await insertAccounts(db, [
    {
      name: overrides.name ?? `Acme ${randomUUID().slice(0, 6)}`,
      externalRef: overrides.externalRef ?? null,
      accountManagerId: overrides.accountManagerId ?? null,
      csmId: overrides.csmId ?? null,
      country: "US",
      segment: "mid_market",
    },
  ]);
  return account!;
}

export async function makeContact(
  db: Db,
  accountId: string,
  overrides: {
    role?: ContactRole;
    authorisedToCancel?: boolean;
    preferredChannel?: ContactChannel;
    email?: string;
  } = {},
) {
  const [contact] = await insertContacts(db, [
    {
      accountId,
      name: "Dana Owner",
      email: overrides.email ?? `dana-${randomUUID().slice(0, 6)}@customer.test`,
      phone: "+14155550123",
      role: overrides.role ?? "owner",
      authorisedToCancel: overrides.authorisedToCancel ?? true,
      preferredChannel: overrides.preferredChannel ?? "email",
    },
  ]);
  return contact!;
}

export async function makeSubscription(
  db: Db,
  accountId: string,
  planId: string,
  now = new Date(),
) {
  const [subscription] = await insertSubscriptions(db, [
    {
      accountId,
      planId,
      seats: 1, // plan prices are per seat: 1 seat of growth (49,900) is 49,900 a month
      monthlyValueMinor: 49_900,
      currency: "USD",
      currentPeriodStart: new Date(now.getTime() - 10 * 86_400_000),
      currentPeriodEnd: new Date(now.getTime() + 20 * 86_400_000),
    },
  ]);
  return subscription!;
}
