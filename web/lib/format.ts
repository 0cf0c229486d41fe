// Display helpers: money in minor units, instants, and plain-language labels for the API's codes.

export function formatMoney(minor: number | null | undefined, currency = "USD"): string {
  if (minor === null || minor === undefined) return "—";
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(minor / 100);
}

/** An instant in the reader's own locale and time zone (the browser's). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

const ISO_INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g;

/**
 * The engine's sentences name instants as ISO-8601 UTC ("expire at 2026-12-09T12:22:36.449Z"),
 * the same for every reader and every client of the API; people read them in their own locale
 * and time zone, like every other time on screen.
 */
export function localTimesIn(sentence: string): string {
  return sentence.replace(ISO_INSTANT, (iso) => formatDateTime(iso));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso));
}

/** A day written out in the reader's locale ("March 3, 2027" in en-US), for sentences. */
export function formatDateInWords(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "long" }).format(new Date(iso));
}

/** "escalated_to_me" -> "Escalated to me". */
export function humanize(code: string | null | undefined): string {
  if (!code) return "—";
  const text = code.replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const STATE_COLORS: Record<string, string> = {
  intake: "gray",
  form: "blue",
  retention: "cyan",
  escalated: "orange",
  finalizing: "grape",
  cancelled: "red",
  feedback: "teal",
  closed: "dark",
};

export const ROLE_LABELS: Record<string, string> = {
  account_manager: "Account manager",
  csm: "Customer success manager",
  admin: "Admin",
};
