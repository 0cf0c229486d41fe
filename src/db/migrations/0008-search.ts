// Frozen: indexes that let a search by name or email read little at a million cases.
// - The cases of a set of accounts or of contacts, from an index alone. A search by a name finds
//   up to a thousand accounts (or contacts) and pages their cases newest first by (opened_at, id):
//   with both in the index that is an index-only scan, where the indexes they replace (0002-cases'
//   on account and opened_at, 0005-scale's on the requester alone) made it read every matching
//   case row, most of a search's time when those rows are not cached. Replaced, not added: every
//   index on cases is written on every command (see 0007-analytics).
// - The domain of an email address (after its @, lower case; '' for an address with more than
//   one @). An address containing a search term with an @ has a domain that starts with the
//   term's text after its @, or is '': this index finds those at once, where the trigram index
//   reads the long posting lists of every ".com" and every common first name.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`create index cases_account_opened_idx on cases (account_id, opened_at, id)`,
  sql`drop index cases_account_idx`,
  sql`create index cases_requester_opened_idx on cases (requester_contact_id, opened_at, id)`,
  sql`drop index cases_requester_idx`,
  sql`create index contacts_email_domain_idx on contacts
    ((case when email like '%@%@%' then '' else split_part(lower(email), '@', 2) end) text_pattern_ops)`,
  // The planner knows how selective a domain prefix is only from the statistics of the expression.
  sql`analyze contacts`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
