// The shapes of what users and other systems send to create or change records, with the rules
// every field must meet. The HTTP routes, the CLI and the CSV import all validate with these, so
// a row in a CSV file and a JSON body are held to the same rules.
import { z } from "zod";
import {
  CONTACT_CHANNELS,
  CONTACT_ROLES,
  PLAN_CODE,
  SEGMENTS,
  SUBSCRIPTION_STATUSES,
} from "../domain/customer.ts";
import { STAFF_ROLES } from "../domain/staff.ts";

const uuid = z.uuid({ error: "must be an id (UUID)" });
const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");
const externalRef = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters");
const email = z
  .string()
  .trim()
  .toLowerCase()
  // RFC 5321's limit for a deliverable address.
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be an email address" }));
const phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, "must be in international format, e.g. +14155550123");
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "must be a three-letter ISO 4217 code, e.g. USD");
const moneyMinor = z
  .number({ error: "must be a whole number of minor units (cents)" })
  .int("must be a whole number of minor units (cents)")
  .min(0, "must not be negative")
  .max(Number.MAX_SAFE_INTEGER, "is too large");
const country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, "must be a two-letter ISO 3166 country code, e.g. US");
/** An IANA time zone name the runtime knows (Europe/London, America/Los_Angeles). */
const timeZone = z
  .string()
  .trim()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return zone.length > 0;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as Europe/London or America/New_York");
const ISO_DATE_TIME = z.iso.datetime({ offset: true });
const ISO_DATE = z.iso.date();
const INSTANT_MESSAGE =
  "must be a date (2026-11-25) or a date and time with its zone (2026-11-25T09:30:00Z)";

/** ISO 8601 lets a time leave out its seconds (09:30Z) and a space stand for the T. */
function withSeconds(text: string): string {
  return text
    .replace(
      /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?=Z|[+-]\d{2}|$)/,
      (_m, date: string, time: string) => `${date}T${time}:00`,
    )
    .replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, "$1T");
}

/**
 * A point in time as ISO 8601: a date (midnight UTC) or a date-time with its zone. Not anything
 * `new Date()` accepts: that took `true`, `0` and `"1"` as dates and rolled 2026-02-30 over into
 * March. A Date passes as it is (a stored record re-checked with a change).
 */
export const instant = z
  .unknown()
  .transform((value, ctx) => {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
    const text = typeof value === "string" ? withSeconds(value.trim()) : undefined;
    if (
      text !== undefined &&
      (ISO_DATE_TIME.safeParse(text).success || ISO_DATE.safeParse(text).success)
    ) {
      const date = new Date(text);
      // PostgreSQL has no year 0, and an offset can push 9999-12-31 into year 10000.
      const year = date.getUTCFullYear();
      if (year >= 1 && year <= 9999) return date;
    }
    ctx.addIssue({ code: "custom", message: INSTANT_MESSAGE });
    return z.NEVER;
  })
  .meta({
    type: "string",
    format: "date-time",
    description: INSTANT_MESSAGE.replace("must be ", ""),
  });

export const accountCreateInput = z.object({
  name,
  externalRef: externalRef.nullish(),
  accountManagerId: uuid.nullish(),
  csmId: uuid.nullish(),
  country: country.nullish(),
  timeZone: timeZone.nullish(),
  segment: z.enum(SEGMENTS).default("smb"),
});
export type AccountCreateInput = z.infer<typeof accountCreateInput>;
export const accountUpdateInput = accountCreateInput.partial().extend({
  segment: z.enum(SEGMENTS).optional(),
  // The version the caller read: a change made since is refused rather than overwritten.
  expectedVersion: z.number().int().min(1).optional(),
});
export type AccountUpdateInput = z.infer<typeof accountUpdateInput>;

const contactFields = z.object({
  accountId: uuid,
  name,
  externalRef: externalRef.nullish(),
  email: email.nullish(),
  phone: phone.nullish(),
  role: z.enum(CONTACT_ROLES),
  authorisedToCancel: z.boolean().default(false),
  preferredChannel: z.enum(CONTACT_CHANNELS).default("email"),
});

/** The rules that tie a contact's fields together; shared by create, update and import. */
export function checkContact(
  contact: {
    email?: string | null | undefined;
    phone?: string | null | undefined;
    preferredChannel?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (!contact.email && !contact.phone) {
    ctx.addIssue({
      code: "custom",
      path: ["email"],
      message: "a contact needs an email or a phone number",
    });
  }
  if (
    (contact.preferredChannel === "phone" || contact.preferredChannel === "sms") &&
    !contact.phone
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["phone"],
      message: `is required when the preferred channel is ${contact.preferredChannel}`,
    });
  }
  if (contact.preferredChannel === "email" && !contact.email) {
    ctx.addIssue({
      code: "custom",
      path: ["email"],
      message: "is required when the preferred channel is email",
    });
  }
}

export const contactCreateInput = contactFields.superRefine(checkContact);
export type ContactCreateInput = z.infer<typeof contactCreateInput>;
export const contactUpdateInput = contactFields
  .omit({ accountId: true })
  .partial()
  .extend({
    authorisedToCancel: z.boolean().optional(),
    preferredChannel: z.enum(CONTACT_CHANNELS).optional(),
    // The version the caller read: a change made since is refused rather than overwritten.
    expectedVersion: z.number().int().min(1).optional(),
  });
export type ContactUpdateInput = z.infer<typeof contactUpdateInput>;

export const planCreateInput = z.object({
  code: z
    .string()
    .trim()
    .regex(PLAN_CODE, "must be 2-40 lowercase letters, digits, - or _, starting with a letter"),
  name,
  monthlyPriceMinor: moneyMinor,
  currency,
  active: z.boolean().default(true),
});
export type PlanCreateInput = z.infer<typeof planCreateInput>;
export const planUpdateInput = planCreateInput
  .omit({ code: true })
  .partial()
  .extend({ active: z.boolean().optional() });
export type PlanUpdateInput = z.infer<typeof planUpdateInput>;

const subscriptionFields = z.object({
  accountId: uuid,
  planId: uuid,
  externalRef: externalRef.nullish(),
  seats: z
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(1_000_000, "must be at most 1,000,000"),
  monthlyValueMinor: moneyMinor,
  currency,
  status: z.enum(SUBSCRIPTION_STATUSES).default("active"),
  currentPeriodStart: instant,
  currentPeriodEnd: instant,
  cancelAt: instant.nullish(),
  cancelledAt: instant.nullish(),
});

export function checkSubscription(
  s: {
    currentPeriodStart?: Date | undefined;
    currentPeriodEnd?: Date | undefined;
    status?: string | undefined;
    cancelAt?: Date | null | undefined;
    cancelledAt?: Date | null | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (s.currentPeriodStart && s.currentPeriodEnd && s.currentPeriodEnd <= s.currentPeriodStart) {
    ctx.addIssue({
      code: "custom",
      path: ["currentPeriodEnd"],
      message: "must be after currentPeriodStart",
    });
  }
  if (s.status === "cancellation_scheduled" && !s.cancelAt) {
    ctx.addIssue({
      code: "custom",
      path: ["cancelAt"],
      message: "is required when status is cancellation_scheduled",
    });
  }
  if (s.status === "cancelled" && !s.cancelledAt) {
    ctx.addIssue({
      code: "custom",
      path: ["cancelledAt"],
      message: "is required when status is cancelled",
    });
  }
}

export const subscriptionCreateInput = subscriptionFields.superRefine(checkSubscription);
export type SubscriptionCreateInput = z.infer<typeof subscriptionCreateInput>;
export const subscriptionUpdateInput = subscriptionFields
  .omit({ accountId: true })
  .partial()
  .extend({
    status: z.enum(SUBSCRIPTION_STATUSES).optional(),
    // The version the caller read: a change made since is refused rather than overwritten.
    expectedVersion: z.number().int().min(1).optional(),
  });
export type SubscriptionUpdateInput = z.infer<typeof subscriptionUpdateInput>;

export const password = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(200, "must be at most 200 characters");

export const userCreateInput = z.object({
  email,
  name,
  role: z.enum(STAFF_ROLES),
  password,
});
export type UserCreateInput = z.infer<typeof userCreateInput>;
export const userUpdateInput = z.object({
  name: name.optional(),
  role: z.enum(STAFF_ROLES).optional(),
  active: z.boolean().optional(),
  password: password.optional(),
});
export type UserUpdateInput = z.infer<typeof userUpdateInput>;

/**
 * Who takes a user's open cases: the successor for the cases they are the AM of, for those they
 * are the CSM of, or both. A slot left out keeps its cases with the user.
 */
export const openCasesHandOverInput = z
  .object({
    amSuccessorId: uuid
      .nullish()
      .describe("takes the open cases the user is the assigned AM of (account manager or admin)"),
    csmSuccessorId: uuid
      .nullish()
      .describe("takes the open cases the user is the assigned CSM of (a CSM)"),
  })
  .superRefine((input, ctx) => {
    if (!input.amSuccessorId && !input.csmSuccessorId) {
      ctx.addIssue({
        code: "custom",
        path: ["amSuccessorId"],
        message: "name a successor for the AM cases, the CSM cases or both",
      });
    }
  });
export type OpenCasesHandOverInput = z.infer<typeof openCasesHandOverInput>;

export const apiKeyCreateInput = z.object({ name, role: z.enum(STAFF_ROLES) });
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateInput>;

export const signInInput = z.object({
  email,
  password: z.string().min(1, "must not be empty").max(200),
});

/** Turns zod's issues into the `{ field, message }` list every 400 carries. */
export function fieldProblems(
  error: z.ZodError,
  prefix = "",
): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: prefix + (issue.path.length ? issue.path.join(".") : "(body)"),
    message: issue.message,
  }));
}
