// The ordered list of migrations, given to Kysely's Migrator explicitly so that it works the
// same from source (tsx) and from any bundle, without scanning folders.
import type { Migration, MigrationProvider } from "kysely";
import * as m0001 from "./0001-foundation.ts";
import * as m0002 from "./0002-cases.ts";
import * as m0003 from "./0003-messaging.ts";
import * as m0004 from "./0004-settings.ts";
import * as m0005 from "./0005-scale.ts";
import * as m0006 from "./0006-data-protection.ts";
import * as m0007 from "./0007-analytics.ts";
import * as m0008 from "./0008-search.ts";
import * as m0009 from "./0009-salted-digests.ts";
import * as m0010 from "./0010-idempotency-expiry.ts";
import * as m0011 from "./0011-idempotency-claim-token.ts";
import * as m0012 from "./0012-sla-due-until-engaged.ts";
import * as m0013 from "./0013-failed-at-always-set.ts";
import * as m0014 from "./0014-subscription-dates.ts";
import * as m0015 from "./0015-skipped-messages.ts";
import * as m0016 from "./0016-save-value-by-currency.ts";
import * as m0017 from "./0017-csm-of-escalation.ts";
import * as m0018 from "./0018-save-validation-after-offer.ts";
import * as m0019 from "./0019-account-time-zone.ts";
import * as m0020 from "./0020-reactivated-cancellations.ts";
import * as m0021 from "./0021-deployment-facts.ts";
import * as m0022 from "./0022-account-contact-versions.ts";
import * as m0023 from "./0023-open-cases-by-assignee.ts";

const migrations: Record<string, Migration> = {
  "0001-foundation": m0001,
  "0002-cases": m0002,
  "0003-messaging": m0003,
  "0004-settings": m0004,
  "0005-scale": m0005,
  "0006-data-protection": m0006,
  "0007-analytics": m0007,
  "0008-search": m0008,
  "0009-salted-digests": m0009,
  "0010-idempotency-expiry": m0010,
  "0011-idempotency-claim-token": m0011,
  "0012-sla-due-until-engaged": m0012,
  "0013-failed-at-always-set": m0013,
  "0014-subscription-dates": m0014,
  "0015-skipped-messages": m0015,
  "0016-save-value-by-currency": m0016,
  "0017-csm-of-escalation": m0017,
  "0018-save-validation-after-offer": m0018,
  "0019-account-time-zone": m0019,
  "0020-reactivated-cancellations": m0020,
  "0021-deployment-facts": m0021,
  "0022-account-contact-versions": m0022,
  "0023-open-cases-by-assignee": m0023,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
