// Row types of every table, as the database returns them. int8 columns come back as strings on
// both PGlite and PostgreSQL (see database.ts); repositories turn them into numbers.
import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
type Int8 = ColumnType<string, number | string | bigint, number | string | bigint>;

export type StaffRole = "account_manager" | "csm" | "admin";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  active: Generated<boolean>;
  failed_sign_ins: Generated<number>;
  locked_until: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  last_seen_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  name: string;
  prefix: string;
  key_hash: string;
  role: StaffRole;
  created_by: string | null;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface PlansTable {
  id: Generated<string>;
  code: string;
  name: string;
  monthly_price_minor: Int8;
  currency: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type Segment = "smb" | "mid_market" | "enterprise";

export interface AccountsTable {
  id: Generated<string>;
  external_ref: string | null;
  name: string;
  account_manager_id: string | null;
  csm_id: string | null;
  country: string | null;
  /** IANA time zone for customers' messages (migration 0019); null: UTC. */
  time_zone: Generated<string | null>;
  segment: Generated<Segment>;
  /** Bumped by every change, so a PATCH can refuse to overwrite a newer one (migration 0022). */
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ContactRole = "owner" | "billing_admin" | "user";
export type ContactChannel = "email" | "phone" | "sms";

export interface ContactsTable {
  id: Generated<string>;
  account_id: string;
  external_ref: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  role: ContactRole;
  authorised_to_cancel: Generated<boolean>;
  preferred_channel: Generated<ContactChannel>;
  /** Bumped by every change, erasure included, as for accounts (migration 0022). */
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Set when the contact's personal data was erased on request (migration 0006). */
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Who erased it (an actor as JSON). */
  erased_by: ColumnType<unknown, string | null | undefined, string | null>;
}

export type SubscriptionStatus = "active" | "paused" | "cancellation_scheduled" | "cancelled";

export interface SubscriptionsTable {
  id: Generated<string>;
  account_id: string;
  plan_id: string;
  external_ref: string | null;
  seats: number;
  monthly_value_minor: Int8;
  currency: string;
  status: Generated<SubscriptionStatus>;
  current_period_start: Timestamp;
  current_period_end: Timestamp;
  cancel_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  discount_percent: number | null;
  discount_ends_at: NullableTimestamp;
  paused_until: NullableTimestamp;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  /** Which claim of the key this is: a takeover by a retry gets a new one. */
  claim_token: string | null;
}

type Json<T = unknown> = ColumnType<T, string, string>;

export interface PolicyVersionsTable {
  version: number;
  definition: Json;
  published_at: Generated<Date>;
  published_by: string | null;
  notes: string | null;
}

export interface CasesTable {
  id: string;
  reference: string;
  account_id: string;
  subscription_id: string;
  requester_contact_id: string;
  channel: string;
  state: string;
  form_status: string;
  outcome: string | null;
  assigned_am_id: string | null;
  assigned_csm_id: string | null;
  policy_version: number;
  version: number;
  sla_due_at: NullableTimestamp;
  opened_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTimestamp;
  data: Json;
}

export interface CaseEventsTable {
  case_id: string;
  seq: number;
  type: string;
  case_version: number;
  actor: Json;
  at: Timestamp;
  body: Json;
  prev_hash: string;
  hash: string;
  recorded_at: Generated<Date>;
  /** SHA-256 of the canonical body, which a sealed entry's hash covers; null on legacy entries. */
  body_digest: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * The random salt the digest was made with (migration 0009); dropped when the body is erased,
   * null on entries written before 0009.
   */
  body_salt: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set when personal data was erased from the body (migration 0006). */
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type OutboxStatus = "pending" | "sending" | "sent" | "delivered" | "failed" | "skipped";

export interface OutboxTable {
  id: Generated<string>;
  case_id: string | null;
  topic: string;
  channel: string;
  recipient: Json;
  payload: Json;
  dedupe_key: string;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
  claim_token: string | null;
  provider_message_id: string | null;
  delivered_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  /** Why a message was not sent (status `skipped`, migration 0015). */
  skipped_reason: string | null;
}

export interface WebhookEndpointsTable {
  id: Generated<string>;
  url: string;
  description: string | null;
  events: Json<string[]>;
  secret_encrypted: string;
  secret_hint: string;
  active: Generated<boolean>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: NullableTimestamp;
}

export type WebhookDeliveryStatus = "pending" | "sending" | "delivered" | "failed";

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  endpoint_id: string;
  outbox_id: string | null;
  case_id: string | null;
  event_id: string;
  topic: string;
  body: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claim_token: string | null;
  last_status_code: number | null;
  last_error: string | null;
  replay_of: string | null;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export interface WebhookDeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Timestamp;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
  duration_ms: number;
}

export interface DevMailboxTable {
  id: Generated<string>;
  outbox_id: string | null;
  channel: string;
  recipient: string;
  subject: string | null;
  text_body: string;
  html_body: string | null;
  created_at: Timestamp;
}

export interface CustomerLinksTable {
  token_hash: string;
  case_id: string | null;
  contact_id: string;
  purpose: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  superseded_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface IdentityCodesTable {
  id: Generated<string>;
  case_id: string | null;
  contact_id: string;
  code_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  superseded_at: NullableTimestamp;
  attempts: Generated<number>;
  created_at: Generated<Date>;
}

export interface SubscriptionEffectsTable {
  effect_key: string;
  subscription_id: string;
  case_id: string | null;
  kind: string;
  details: Json;
  applied_at: Generated<Date>;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

/** One narrow row per closed case for analytics (migration 0007). */
export interface CaseMetricsTable {
  case_id: string;
  reference: string;
  account_id: string;
  subscription_id: string;
  policy_version: number;
  channel: string;
  outcome: string;
  am_id: string | null;
  csm_id: string | null;
  plan_code: string | null;
  segment: string | null;
  reason_code: string | null;
  offers_presented: string[];
  saved_offer_code: string | null;
  currency: string;
  monthly_value_minor: Int8;
  value_kept_minor: Int8;
  value_lost_minor: Int8;
  opened_at: Timestamp;
  closed_at: Timestamp;
  escalated: boolean;
  sla_due_at: NullableTimestamp;
  csm_engaged_at: NullableTimestamp;
  sla_met: boolean | null;
  form_sent: boolean;
  form_submitted: boolean;
  feedback_rating: number | null;
  feedback_reason: string | null;
  s_initial_contact: number | null;
  s_cancellation_request_form: number | null;
  s_assistance_and_alternatives: number | null;
  s_escalation_to_csm: number | null;
  s_finalize_cancellation: number | null;
  s_feedback: number | null;
  s_documentation: number | null;
  adherent: boolean;
  misses: Json;
  /** Retained: the earliest cancellation or new case after the save, if any. */
  lost_at: NullableTimestamp;
  /** Retained: when the offer stops holding the customer by itself (migration 0018). */
  holds_from: NullableTimestamp;
  /** Cancelled: when the customer reactivated before it took effect (migration 0020). */
  reactivated_at: NullableTimestamp;
  computed_at: Generated<Date>;
}

export interface AnalyticsDailyTable {
  day: ColumnType<string, string, string>;
  metric: string;
  k1: string;
  k2: string;
  k3: string;
  bin: number;
  n: Int8;
  v1: Int8;
  v2: Int8;
  /** Save-rate rows: the currency of v1/v2 (value is never summed across currencies); else ''. */
  currency: Generated<string>;
  /** Save rows: days from the save to the start of its validation window (migration 0018). */
  hold_days: Generated<number>;
}

export interface DeploymentFactsTable {
  name: string;
  value: string;
  recorded_at: Generated<Date>;
}

export interface AnalyticsDirtyDaysTable {
  day: ColumnType<string, string, string>;
  marked_at: Timestamp;
}

export interface AnalyticsWatermarksTable {
  name: string;
  at: Timestamp;
}

export interface Database {
  case_metrics: CaseMetricsTable;
  analytics_watermarks: AnalyticsWatermarksTable;
  analytics_daily: AnalyticsDailyTable;
  analytics_dirty_days: AnalyticsDirtyDaysTable;
  deployment_facts: DeploymentFactsTable;
  settings: SettingsTable;
  policy_versions: PolicyVersionsTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  outbox: OutboxTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  dev_mailbox: DevMailboxTable;
  customer_links: CustomerLinksTable;
  identity_codes: IdentityCodesTable;
  subscription_effects: SubscriptionEffectsTable;
  idempotency_keys: IdempotencyKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  plans: PlansTable;
  accounts: AccountsTable;
  contacts: ContactsTable;
  subscriptions: SubscriptionsTable;
}
