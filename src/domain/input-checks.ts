// Field checks for the free input commands carry (texts, choices, deadlines). They run after the
// policy's rules, so a refused command names the missing step before any typo.

import type { FieldProblem } from "./errors.ts";
import { addMinutes, instantMs } from "./time.ts";

export const MAX_TEXT = 5000;

export function checkText(
  field: string,
  value: unknown,
  options: { required: boolean; min?: number; max?: number },
): FieldProblem | null {
  if (value === undefined || value === null) {
    return options.required ? { field, message: "is required" } : null;
  }
  if (typeof value !== "string") return { field, message: "must be text" };
  const length = value.trim().length;
  if (options.required && length === 0) return { field, message: "is required" };
  const min = options.min ?? 0;
  if (length > 0 && length < min) return { field, message: `must be at least ${min} characters` };
  const max = options.max ?? MAX_TEXT;
  if (value.length > max) return { field, message: `must be at most ${max} characters` };
  return null;
}

export function checkChoice(
  field: string,
  value: unknown,
  allowed: readonly string[],
): FieldProblem | null {
  return typeof value === "string" && allowed.includes(value)
    ? null
    : { field, message: `must be one of: ${allowed.join(", ")}` };
}

/** A deadline must be a valid time after `now` and no later than the policy allows. */
export function checkDeadline(
  field: string,
  value: unknown,
  now: Date,
  maxMinutesAhead: number,
): FieldProblem | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    return { field, message: "must be a valid date and time" };
  }
  if (value.getTime() <= now.getTime()) return { field, message: "must be in the future" };
  if (value.getTime() > instantMs(addMinutes(now, maxMinutesAhead))) {
    return {
      field,
      message: `must be at most ${maxMinutesAhead} minutes ahead, as the policy sets`,
    };
  }
  return null;
}

export function problems(...checks: (FieldProblem | null)[]): FieldProblem[] {
  return checks.filter((check): check is FieldProblem => check !== null);
}
