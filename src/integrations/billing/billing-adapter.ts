// The system of record for subscriptions, as the policy's use cases see it. The default is the
// built-in subscription ledger; another billing system plugs in behind the same interface.
// Every call carries an effect key: applying the same key twice changes the subscription once.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/tables/tables.ts";
import type { Subscription } from "../../domain/customer.ts";
import type { OfferDefinition } from "../../domain/policy-definition.ts";

export interface CancellationEffect {
  effectKey: string;
  subscriptionId: string;
  caseId: string;
  mode: "end_of_term" | "immediately";
  effectiveAt: Date;
}

export interface OfferApplication {
  effectKey: string;
  subscriptionId: string;
  caseId: string;
  offer: OfferDefinition;
  customTerms: string | null;
  now: Date;
}

export interface Reactivation {
  effectKey: string;
  subscriptionId: string;
  caseId: string | null;
  now: Date;
}

export type EffectResult =
  | {
      applied: true;
      /** The subscription as the effect left it, when the adapter has it at hand. */
      subscription?: Subscription;
    }
  | { applied: false; reason: "already_applied" };

export interface BillingAdapter {
  cancel(trx: Transaction<Database>, effect: CancellationEffect): Promise<EffectResult>;
  applyOffer(trx: Transaction<Database>, application: OfferApplication): Promise<EffectResult>;
  reactivate(trx: Transaction<Database>, reactivation: Reactivation): Promise<EffectResult>;
  /**
   * Applies what a date brings (a scheduled cancellation taking effect, a pause ending), for a
   * system of record that does not do it itself; answers how many subscriptions changed. A
   * billing system that ends and resumes subscriptions on its own leaves it out.
   */
  applyDueChanges?(db: Kysely<Database>, now: Date): Promise<number>;
}
