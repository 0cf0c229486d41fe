// Display helpers: money in minor units, instants, and plain-language labels for the API's codes.

import {
  CONFIRMATION_CHANNEL_WORDS,
  REQUEST_CHANNEL_WORDS,
  timesWords,
} from "../../src/domain/words.ts";

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
/** How far a time is from now, in the largest whole unit: "in 3 h", "2 days overdue". */
export function dueIn(iso: string, now: Date = new Date()): { text: string; overdue: boolean } {
  const ms = new Date(iso).getTime() - now.getTime();
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span =
    minutes < 60
      ? `${minutes} min`
      : minutes < 48 * 60
        ? `${Math.floor(minutes / 60)} h`
        : `${Math.floor(minutes / (24 * 60))} days`;
  return ms < 0
    ? { text: `${span} overdue`, overdue: true }
    : { text: `in ${span}`, overdue: false };
}

export function humanize(code: string | null | undefined): string {
  if (!code) return "—";
  const text = code.replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How a message, a confirmation or a request travels, in the engine's words. */
const CHANNEL_LABELS: Record<string, string> = {
  ...REQUEST_CHANNEL_WORDS,
  ...CONFIRMATION_CHANNEL_WORDS,
};

export function channelWords(channel: string | null | undefined): string {
  return channel ? (CHANNEL_LABELS[channel] ?? humanize(channel).toLowerCase()) : "—";
}

export { timesWords };

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

/** An account's segment as people say it ("SMB", not "Smb"). */
export const SEGMENT_LABELS: Record<string, string> = {
  smb: "SMB",
  mid_market: "Mid-market",
  enterprise: "Enterprise",
};

export function formatSegment(segment: string | null | undefined): string {
  return (segment && SEGMENT_LABELS[segment]) || humanize(segment);
}

/** ITU country calling codes of two digits; 1 and 7 have one, every other code three. */
const TWO_DIGIT_CALLING_CODES = new Set(
  "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split(
    " ",
  ),
);

/** Groups of `sizes` from the start, the rest in the last group. */
function groups(digits: string, sizes: number[]): string[] {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) parts[parts.length - 1] += digits.slice(at);
  return parts;
}

/** A national number in the groups its country writes it in, where we know them; else by threes. */
function groupNational(callingCode: string, national: string): string[] {
  if (callingCode === "1" && national.length === 10) return groups(national, [3, 3, 4]);
  if (callingCode === "44")
    return national.startsWith("2") ? groups(national, [2, 4, 4]) : groups(national, [4, 6]);
  if (callingCode === "61")
    return national.startsWith("4") ? groups(national, [3, 3, 3]) : groups(national, [1, 4, 4]);
  if (callingCode === "353") return groups(national, [national.startsWith("1") ? 1 : 2, 3, 4]);
  if (callingCode === "31")
    return groups(national, national.startsWith("6") ? [1, 4, 4] : [2, 3, 4]);
  // German area codes run from two to five digits: the big cities' two, the rest as one group.
  if (callingCode === "49") return groups(national, [/^(30|40|69|89)/.test(national) ? 2 : 3, 99]);
  // By threes, a shorter group first (10 digits: 3 3 4 reads better than 3 3 3 1).
  const sizes = Array.from({ length: Math.floor(national.length / 3) }, () => 3);
  const rest = national.length % 3;
  if (rest === 1 && sizes.length > 1) sizes.splice(-1, 1, 4);
  else if (rest > 0) sizes.unshift(rest);
  return groups(national, sizes);
}

/**
 * A phone number stored in international form (+14045550159), written for reading: the
 * country code, then the number in groups (+1 404 555 0159). Anything else is shown as it is.
 * Links keep the stored form (`tel:+14045550159`).
 */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return "—";
  if (!/^\+[1-9]\d{6,14}$/.test(phone)) return phone;
  const digits = phone.slice(1);
  const codeLength =
    digits[0] === "1" || digits[0] === "7"
      ? 1
      : TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2))
        ? 2
        : 3;
  const callingCode = digits.slice(0, codeLength);
  return `+${callingCode} ${groupNational(callingCode, digits.slice(codeLength)).join(" ")}`;
}
