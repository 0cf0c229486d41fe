// Real transports on 127.0.0.1 for the delivery tests: an SMTP server (smtp-server) whose
// behaviour a test can script (refuse with 451 or 550, accept), what arrived parsed with
// mailparser; an HTTP receiver that records requests and answers as scripted; and a worker wired
// to the test server's database and clock.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { EmailTransport } from "../src/integrations/email/email-transport.ts";
import { devMailboxTransport, smtpTransport } from "../src/integrations/email/email-transport.ts";
import { devSmsProvider, type SmsProvider } from "../src/integrations/sms/sms-provider.ts";
import { httpWebhookSender } from "../src/integrations/webhooks/webhook-sender.ts";
import {
  createOutboxWorker,
  type WorkerOptions,
  type WorkerServices,
} from "../src/jobs/outbox-worker.ts";
import { TEST_SECRET, type TestServer } from "./app.ts";

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ParsedMail[];
  /** Answers the next DATA commands with these SMTP codes (then accepts). */
  refuseNext(...codes: number[]): void;
  close(): Promise<void>;
}

export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  const refusals: number[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const code = refusals.shift();
        if (code) {
          const error = Object.assign(new Error(code < 500 ? "try again later" : "no such user"), {
            responseCode: code,
          });
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            received.push(mail);
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    received,
    refuseNext: (...codes) => refusals.push(...codes),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestHttpReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Answers the next requests with these statuses (then 200). */
  answerNext(...statuses: number[]): void;
  /** The JSON body of a 200 answer. */
  reply: (request: ReceivedRequest) => unknown;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<TestHttpReceiver> {
  const statuses: number[] = [];
  const receiver: TestHttpReceiver = {
    url: "",
    received: [],
    answerNext: (...s) => statuses.push(...s),
    reply: () => ({ ok: true }),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      receiver.received.push(request);
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(status === 200 ? receiver.reply(request) : { error: "unavailable" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export function workerServices(
  server: TestServer,
  transports: { email?: EmailTransport; sms?: SmsProvider } = {},
): WorkerServices {
  const { db } = server.handle;
  return {
    db,
    now: server.ctx.now,
    sessionSecret: TEST_SECRET,
    publicUrl: "http://localhost:3000",
    email: transports.email ?? devMailboxTransport(db, server.ctx.now),
    sms: transports.sms ?? devSmsProvider(db, server.ctx.now),
    // The tests' receivers listen on 127.0.0.1.
    webhooks: httpWebhookSender({ timeoutMs: 5_000, allowNonPublic: true }),
  };
}

export function testWorker(
  server: TestServer,
  transports: { email?: EmailTransport; sms?: SmsProvider } = {},
  options: WorkerOptions = {},
) {
  return createOutboxWorker(workerServices(server, transports), { random: () => 0.5, ...options });
}

export function smtpTo(smtp: { url: string }) {
  return smtpTransport({
    url: smtp.url,
    from: "WootRecruit <care@wootrecruit.test>",
    timeoutMs: 5_000,
  });
}
