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

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso));
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
