// Instants are ISO-8601 UTC strings (`2025-03-03T09:00:00.000Z`) rather than Date objects, so a
// case, its events and its documentation survive JSON.stringify/JSON.parse unchanged.

export type Instant = string;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export function toInstant(date: Date): Instant {
  return date.toISOString();
}

export function instantMs(at: Date | Instant): number {
  return typeof at === "string" ? Date.parse(at) : at.getTime();
}

export function addMinutes(at: Date | Instant, minutes: number): Instant {
  return new Date(instantMs(at) + minutes * MINUTE_MS).toISOString();
}

export function addHours(at: Date | Instant, hours: number): Instant {
  return new Date(instantMs(at) + hours * HOUR_MS).toISOString();
}

export function addDays(at: Date | Instant, days: number): Instant {
  return new Date(instantMs(at) + days * DAY_MS).toISOString();
}

/** The same day of the month `months` later, in UTC (as a billing system counts months). */
export function addMonths(at: Date | Instant, months: number): Instant {
  const date = new Date(instantMs(at));
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString();
}

/** True when `a` is strictly earlier than `b`. */
export function isBefore(a: Date | Instant, b: Date | Instant): boolean {
  return instantMs(a) < instantMs(b);
}

/** True when `now` has reached or passed `deadline` (a deadline is over at its exact instant). */
export function hasPassed(deadline: Date | Instant, now: Date | Instant): boolean {
  return instantMs(now) >= instantMs(deadline);
}
