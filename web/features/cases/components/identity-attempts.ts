// What an identity command's answer means for the AM. The engine accepts a wrong code or a failed
// security check as a recorded attempt (200, `identity_verification_failed`), and the attempt
// that reaches the policy's limit closes the case as unverified; the web app tells the user so
// instead of "saved", from the case the answer carries and the limit of the case's policy version.
import type { Case } from "../../../lib/types.ts";

export interface FailedAttempt {
  method: "code" | "security_check";
  /** Attempts left before the case closes unverified; null when the limit is not known yet. */
  attemptsLeft: number | null;
  /** The attempt reached the limit: the case is closed as unverified. */
  closed: boolean;
  attempts: number;
}

/** The identity command a case command's path runs, if it is one that can fail. */
function identityMethodOf(path: string): FailedAttempt["method"] | null {
  if (path === "identity/confirm-code") return "code";
  if (path === "identity/security-check") return "security_check";
  return null;
}

/** The failed attempt an accepted identity command recorded, if it recorded one. */
export function failedAttempt(
  path: string,
  before: Case,
  after: Case,
  attemptLimit: number | undefined,
): FailedAttempt | null {
  const method = identityMethodOf(path);
  if (!method || after.identity.attempts <= before.identity.attempts) return null;
  const closed = after.state === "closed" && after.outcome === "unverified";
  return {
    method,
    attemptsLeft: attemptsLeft(after, attemptLimit),
    closed,
    attempts: after.identity.attempts,
  };
}

/** How many attempts the requester has left on this case, when the limit is known. */
export function attemptsLeft(c: Case, attemptLimit: number | undefined): number | null {
  return attemptLimit === undefined ? null : Math.max(0, attemptLimit - c.identity.attempts);
}

function attemptsLeftText(left: number): string {
  return `${left} ${left === 1 ? "attempt" : "attempts"} left`;
}

/** The sentence for a failed attempt that left the case open. */
export function failedAttemptMessage(failed: FailedAttempt): string {
  const what =
    failed.method === "code" ? "That code is not right" : "The security check did not pass";
  return failed.attemptsLeft === null
    ? `${what}.`
    : `${what} — ${attemptsLeftText(failed.attemptsLeft)}.`;
}
