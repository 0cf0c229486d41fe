import { describe, expect, it } from "vitest";
import { logSafeError } from "../server/logging.ts";
import { DeliveryError, withoutAddresses } from "./delivery-errors.ts";

describe("a provider's refusal in a log line", () => {
  it("keeps what happened and leaves the customer's address out", () => {
    const refusal =
      "SMTP: Can't send mail - all recipients were rejected: 550 5.1.1 <dana.owner@acme-hiring.example>: Recipient address rejected";
    expect(withoutAddresses(refusal)).toBe(
      "SMTP: Can't send mail - all recipients were rejected: 550 5.1.1 <[address]>: Recipient address rejected",
    );
    const logged = logSafeError(new DeliveryError(refusal, true));
    expect(logged.message).not.toContain("dana.owner");
    expect(logged.stack).not.toContain("acme-hiring.example");
    expect(logged.message).toContain("550 5.1.1");
  });
});
