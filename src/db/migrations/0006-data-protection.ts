// Frozen: data protection. Audit entries get the digest of their body (entries written from now on
// are hashed over the digest, so erasing personal data from a body keeps the chain verifiable) and
// an erasure mark; contacts get an erasure mark. The append-only trigger now lets exactly one kind
// of UPDATE through: the controlled redaction of a body, in a transaction that turned on
// `canceldesk.erasure`, marking the entry erased and leaving every other column as it was.
//
// Entries written before this migration keep a null digest: their hash covers the body itself, and
// the verifier keeps checking them that way, so existing chains verify unchanged.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`alter table case_events add column body_digest text, add column erased_at timestamptz`,
  sql`alter table contacts add column erased_at timestamptz, add column erased_by jsonb`,
  // An erased contact has neither email nor phone any more.
  sql`alter table contacts drop constraint contacts_check`,
  sql`alter table contacts add constraint contacts_reachable_or_erased
    check (email is not null or phone is not null or erased_at is not null)`,
  sql`create or replace function case_events_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if coalesce(current_setting('canceldesk.erasure', true), '') = 'on'
          and old.erased_at is null and new.erased_at is not null
          and new.case_id = old.case_id and new.seq = old.seq and new.type = old.type
          and new.case_version = old.case_version and new.actor = old.actor and new.at = old.at
          and new.prev_hash = old.prev_hash and new.hash = old.hash
          and new.body_digest is not distinct from old.body_digest
          and new.recorded_at = old.recorded_at then
          return new;
        end if;
      end if;
      raise exception 'case_events is append-only: % is not allowed', tg_op using errcode = '42501';
    end
  $$`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
