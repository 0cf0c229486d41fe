// Idempotency-Keys for writes a person may send again after a lost reply: a new key per request,
// kept until the server has answered it.
import { ApiError } from "./api-client.ts";

/** 128 random bits as hex: `crypto.randomUUID` exists only on https pages and localhost. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Answers after which the server has kept nothing for the key, or will replay it: keep it. */
export function keyStillOpen(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return (
    error.status === 0 ||
    error.status >= 500 ||
    // Another send with this key is still running, or lost its claim to a retry.
    (error.status === 409 && (error.code === "CONFLICT" || error.code === "IDEMPOTENCY_CLAIM_LOST"))
  );
}
