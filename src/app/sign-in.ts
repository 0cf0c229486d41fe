// Staff sign-in, sign-out and who is calling: server-side sessions and API keys, both stored only
// as hashes. Repeated wrong passwords lock the user out for a while.

import { findApiKeyByPrefix, touchApiKey } from "../db/repositories/api-keys.repository.ts";
import {
  deleteSession,
  findLiveSession,
  insertSession,
} from "../db/repositories/sessions.repository.ts";
import {
  findUserCredentialsByEmail,
  recordFailedSignIn,
  recordSuccessfulSignIn,
  toStaffUser,
} from "../db/repositories/users.repository.ts";
import { AppError } from "../domain/errors.ts";
import type { Principal } from "../domain/staff.ts";
import type { AppContext } from "./context.ts";
import {
  hashToken,
  hmac,
  newToken,
  safeEqual,
  UNUSABLE_PASSWORD_HASH,
  verifyPassword,
} from "./secrets.ts";

export const SIGN_IN_POLICY = {
  /** Wrong passwords in a row before the user is locked out. */
  lockAfterFailures: 5,
  lockMinutes: 15,
  sessionHours: 12,
} as const;

export async function signIn(ctx: AppContext, input: { email: string; password: string }) {
  const now = ctx.now();
  const row = await findUserCredentialsByEmail(ctx.db, input.email);
  // Verify against a dummy hash for unknown users so timing does not tell which emails exist.
  const passwordMatches = await verifyPassword(
    input.password,
    row?.password_hash ?? UNUSABLE_PASSWORD_HASH,
  );
  if (!row?.active) {
    throw new AppError("INVALID_CREDENTIALS", "The email or password is not right.");
  }
  if (row.locked_until && row.locked_until > now) throw accountLocked(row.locked_until);
  if (!passwordMatches) {
    const lockUntil = new Date(now.getTime() + SIGN_IN_POLICY.lockMinutes * 60_000);
    const after = await recordFailedSignIn(
      ctx.db,
      row.id,
      SIGN_IN_POLICY.lockAfterFailures,
      lockUntil,
    );
    if (after.locked_until && after.locked_until > now) {
      throw new AppError(
        "ACCOUNT_LOCKED",
        `Too many wrong passwords: this user is locked for ${SIGN_IN_POLICY.lockMinutes} minutes.`,
        { details: { lockedUntil: after.locked_until.toISOString() } },
      );
    }
    throw new AppError("INVALID_CREDENTIALS", "The email or password is not right.");
  }
  // The row was read before the slow password check: wrong passwords sent at the same time may
  // have locked the user since, and that lock stands.
  const { lockedUntil } = await recordSuccessfulSignIn(ctx.db, row.id, now);
  if (lockedUntil) throw accountLocked(lockedUntil);
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SIGN_IN_POLICY.sessionHours * 3_600_000);
  await insertSession(ctx.db, { tokenHash: hashToken(token), userId: row.id, expiresAt });
  return {
    token,
    expiresAt,
    user: toStaffUser(row),
    csrfToken: csrfTokenFor(ctx.sessionSecret, token),
  };
}

function accountLocked(until: Date): AppError {
  return new AppError(
    "ACCOUNT_LOCKED",
    `Too many wrong passwords: this user is locked until ${until.toISOString()}. Try again later or ask an admin to reset the password.`,
    { details: { lockedUntil: until.toISOString() } },
  );
}

export async function signOut(ctx: AppContext, sessionToken: string): Promise<void> {
  await deleteSession(ctx.db, hashToken(sessionToken));
}

/**
 * The CSRF token of a session is derived from it (HMAC with the server's secret), so nothing more
 * is stored and every server behind a load balancer can check it.
 */
export function csrfTokenFor(secret: string, sessionToken: string): string {
  return hmac(secret, `csrf:${sessionToken}`);
}

export function isCsrfTokenValid(
  secret: string,
  sessionToken: string,
  given: string | undefined,
): boolean {
  return given !== undefined && safeEqual(csrfTokenFor(secret, sessionToken), given);
}

export async function authenticateSession(
  ctx: AppContext,
  token: string,
): Promise<Principal | undefined> {
  const tokenHash = hashToken(token);
  const session = await findLiveSession(ctx.db, tokenHash, ctx.now());
  return session && { kind: "user", ...session, sessionTokenHash: tokenHash };
}

/** How stale an API key's "last used" may get before a call updates it. */
export const API_KEY_TOUCH_INTERVAL_MS = 60_000;

/** API keys look like `cdk_<prefix>_<secret>`: the prefix finds the row, the hash proves the key. */
export const API_KEY_PATTERN = /^cdk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,})$/;

export async function authenticateApiKey(
  ctx: AppContext,
  key: string,
): Promise<Principal | undefined> {
  const match = API_KEY_PATTERN.exec(key);
  if (!match) return undefined;
  const row = await findApiKeyByPrefix(ctx.db, match[1]!);
  if (!row || row.revoked_at || !safeEqual(row.key_hash, hashToken(key))) return undefined;
  // "Last used" is for spotting unused keys, so a minute's precision is plenty; writing the key's
  // row on every call would make an integration's every read a write on one hot row.
  const lastUsed = row.last_used_at?.getTime();
  if (lastUsed === undefined || ctx.now().getTime() - lastUsed >= API_KEY_TOUCH_INTERVAL_MS) {
    await touchApiKey(ctx.db, row.id, ctx.now());
  }
  return { kind: "api_key", apiKeyId: row.id, role: row.role, name: row.name };
}
