// What every use case is handed: the database and the clock. Passing the clock in (rather than
// calling new Date()) lets tests move time without sleeping.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/tables/tables.ts";
import type { BillingAdapter } from "../integrations/billing/billing-adapter.ts";

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

export interface AppContext {
  db: Db;
  now: () => Date;
  sessionSecret: string;
  /** The subscription system of record: the built-in ledger unless another is plugged in. */
  billing: BillingAdapter;
}
