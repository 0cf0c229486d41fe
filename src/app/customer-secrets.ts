// Links and one-time codes for customers. Nothing that opens a case is stored in the clear: a
// link's token is derived from a random nonce with the server's secret, the database keeps only
// the token's SHA-256, and the outbox keeps only the nonce (useless without the secret). Codes
// likewise are derived from a nonce and stored as an HMAC tied to their own record.
import { createHmac } from "node:crypto";
import { hashToken, hmac, newToken, safeEqual } from "./secrets.ts";

const SIGNATURE_LENGTH = 32;

export function newNonce(): string {
  return newToken(18);
}

/** The token in a customer link: `<nonce>.<signature>`. */
export function linkToken(secret: string, nonce: string): string {
  return `${nonce}.${hmac(secret, `link:${nonce}`).slice(0, SIGNATURE_LENGTH)}`;
}

/** True when the token was signed by this server: forgeries are refused without a lookup. */
export function isSignedLinkToken(secret: string, token: string): boolean {
  const [nonce, signature, extra] = token.split(".");
  if (!nonce || !signature || extra !== undefined) return false;
  return safeEqual(linkToken(secret, nonce), token);
}

export function linkTokenHash(token: string): string {
  return hashToken(token);
}

/** A numeric one-time code of `length` digits, derived from the nonce. */
export function identityCode(secret: string, nonce: string, length: number): string {
  let code = "";
  for (let round = 0; code.length < length; round++) {
    const digest = createHmac("sha256", secret).update(`code:${nonce}:${round}`).digest();
    // Bytes of 250 and above are skipped so that every digit is equally likely.
    for (const byte of digest)
      if (byte < 250 && code.length < length) code += (byte % 10).toString();
  }
  return code;
}

export function identityCodeHash(secret: string, codeId: string, code: string): string {
  return hmac(secret, `code-hash:${codeId}:${code.trim()}`);
}
