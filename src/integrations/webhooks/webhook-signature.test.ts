import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, newWebhookSecret } from "./webhook-secret.ts";
import { signatureHeader, signPayload, verifySignature } from "./webhook-signature.ts";

describe("webhook signatures", () => {
  const body = '{"id":"1","type":"case.opened"}';
  it("is the hex HMAC-SHA256 of the timestamp, a dot and the body", async () => {
    const { createHmac } = await import("node:crypto");
    expect(signPayload("s3cret", 1700000000, body)).toBe(
      createHmac("sha256", "s3cret").update(`1700000000.${body}`).digest("hex"),
    );
    expect(signatureHeader("s3cret", 1700000000, body)).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
  });

  it("verifies, and refuses another body, another secret or an old timestamp", () => {
    const header = signatureHeader("s3cret", 1000, body);
    expect(verifySignature("s3cret", header, body, 1100)).toBe(true);
    expect(verifySignature("s3cret", header, `${body} `, 1100)).toBe(false);
    expect(verifySignature("other", header, body, 1100)).toBe(false);
    expect(verifySignature("s3cret", header, body, 1000 + 301)).toBe(false);
    expect(verifySignature("s3cret", undefined, body, 1000)).toBe(false);
    expect(verifySignature("s3cret", "t=x,v1=zz", body, 1000)).toBe(false);
  });

  it("secrets are stored encrypted and read back only with the same session secret", () => {
    const secret = newWebhookSecret();
    const stored = encryptSecret("a".repeat(32), secret);
    expect(stored).not.toContain(secret.slice(6));
    expect(decryptSecret("a".repeat(32), stored)).toBe(secret);
    expect(() => decryptSecret("b".repeat(32), stored)).toThrow();
  });
});
