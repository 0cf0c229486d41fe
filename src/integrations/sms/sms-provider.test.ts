// The HTTP SMS provider against a real server on 127.0.0.1 that refuses the message and echoes
// the request back, as some providers do in their error answers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../delivery-errors.ts";
import { httpSmsProvider } from "./sms-provider.ts";

let provider: http.Server;
let url: string;
beforeAll(async () => {
  provider = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => response.writeHead(400).end(`invalid request: ${body}`));
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/send`;
});
afterAll(() => new Promise<void>((resolve) => provider.close(() => resolve())));

describe("the HTTP SMS provider", () => {
  it("keeps a refusal's reason without the customer's link, code or number", async () => {
    const sms = httpSmsProvider({
      url,
      token: "t".repeat(20),
      statusCallbackUrl: "https://cancel.example/api/integrations/sms/status",
    });
    const error = await sms
      .send({
        outboxId: "o1",
        to: "+14155550123",
        body: "Your code is 482913. Your form: https://cancel.example/c/abc.def-secret",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    const message = (error as Error).message;
    expect(message).toMatch(/^SMS provider answered 400: invalid request/);
    for (const secret of ["482913", "abc.def-secret", "+14155550123"])
      expect(message).not.toContain(secret);
  });
});
