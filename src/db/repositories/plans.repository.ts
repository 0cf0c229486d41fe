import { type Kysely, sql } from "kysely";
import type { Plan } from "../../domain/customer.ts";
import type { Database } from "../tables/tables.ts";
import { afterCursor, likePattern, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

function toPlan(row: {
  id: string;
  code: string;
  name: string;
  monthly_price_minor: string;
  currency: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}): Plan {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    monthlyPriceMinor: Number(row.monthly_price_minor),
    currency: row.currency,
    active: row.active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface PlanValues {
  code: string;
  name: string;
  monthlyPriceMinor: number;
  currency: string;
  active?: boolean | undefined;
}

export async function insertPlan(db: Db, plan: PlanValues): Promise<Plan> {
  const row = await db
    .insertInto("plans")
    .values({
      code: plan.code,
      name: plan.name,
      monthly_price_minor: plan.monthlyPriceMinor,
      currency: plan.currency,
      ...(plan.active !== undefined ? { active: plan.active } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPlan(row);
}

export async function updatePlan(db: Db, id: string, values: Partial<Omit<PlanValues, "code">>) {
  const row = await db
    .updateTable("plans")
    .set({
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.monthlyPriceMinor !== undefined
        ? { monthly_price_minor: values.monthlyPriceMinor }
        : {}),
      ...(values.currency !== undefined ? { currency: values.currency } : {}),
      ...(values.active !== undefined ? { active: values.active } : {}),
      updated_at: sql`now()`,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toPlan(row);
}

export async function findPlanById(db: Db, id: string): Promise<Plan | undefined> {
  const row = await db.selectFrom("plans").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toPlan(row);
}

export async function findPlanIdsByCode(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom("plans").select(["id", "code"]).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}

export async function listPlans(
  db: Db,
  filter: { q?: string | undefined; active?: boolean | undefined },
  page: PageRequest,
): Promise<Page<Plan>> {
  const rows = await db
    .selectFrom("plans")
    .selectAll()
    .$if(!!filter.q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("name", "ilike", likePattern(filter.q!)),
          eb("code", "ilike", likePattern(filter.q!)),
        ]),
      ),
    )
    .$if(filter.active !== undefined, (qb) => qb.where("active", "=", filter.active!))
    .where(afterCursor(sql.ref("code"), "id", page.cursor))
    .orderBy("code")
    .orderBy("id")
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => ({ key: r.code, id: r.id }), toPlan);
}
