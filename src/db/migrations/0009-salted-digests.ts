// Frozen: salted body digests. A sealed entry's hash covers the SHA-256 digest of its body (0006),
// and the digest stays when personal data is erased from the body. Unsalted, that digest let
// anyone holding the log confirm a guess of what was erased: the rest of the body is still there,
// so hashing it with each candidate email address or name until one matches the digest takes
// seconds. Entries written from now on digest their body with a random salt of their own, kept
// beside it; erasing the body drops the salt with it, so the digest confirms nothing afterwards
// and the chain, which covers the digest and not the salt, still verifies.
//
// The append-only trigger lets the erasure through only when it also drops the salt. Entries
// written before this migration keep a null salt and their unsalted digest.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`alter table case_events add column body_salt text`,
  sql`create or replace function case_events_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if coalesce(current_setting('canceldesk.erasure', true), '') = 'on'
          and old.erased_at is null and new.erased_at is not null
          and new.body_salt is null
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
