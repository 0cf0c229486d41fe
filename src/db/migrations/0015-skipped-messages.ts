// Frozen: a message that asks the customer to act (a code, a form link or its reminder, an offer,
// the survey) is not sent once what it asks for can no longer be done: the form was submitted,
// the link was used or replaced, the case closed. It is kept, `skipped`, with the reason, so the
// case's message list says why nothing went.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox
    drop constraint outbox_status_check,
    add constraint outbox_status_check
      check (status in ('pending', 'sending', 'sent', 'delivered', 'failed', 'skipped')),
    add column skipped_reason text`.execute(db);
}
