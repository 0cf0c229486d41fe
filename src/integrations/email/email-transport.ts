// Email out: one small interface, an SMTP implementation (nodemailer) and the dev mailbox that
// keeps messages in the database when no SMTP server is configured.
import nodemailer from "nodemailer";
import type { Db } from "../../app/context.ts";
import { insertDevMail } from "../../db/repositories/dev-mailbox.repository.ts";
import { DeliveryError } from "../delivery-errors.ts";

export interface EmailMessage {
  /** The outbox row this is, for the Message-ID and for tracing a message back to its case. */
  outboxId: string;
  to: string;
  toName?: string | null;
  /** Where a reply goes: the case's account manager, since the messages invite one. */
  replyTo?: { name: string; address: string } | null;
  subject: string;
  text: string;
  html: string;
}

export interface EmailTransport {
  readonly kind: "smtp" | "dev_mailbox";
  /** Answers the provider's message id; throws a DeliveryError (or any error) when it did not go. */
  send(message: EmailMessage): Promise<{ providerMessageId: string | null }>;
  close(): Promise<void>;
}

export interface SmtpOptions {
  url: string;
  from: string;
  /** Parallel SMTP connections (nodemailer pool). */
  maxConnections?: number;
  timeoutMs?: number;
}

export function smtpTransport(options: SmtpOptions): EmailTransport {
  const timeout = options.timeoutMs ?? 30_000;
  const transporter = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 8,
    maxMessages: 500,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    kind: "smtp",
    async send(message) {
      try {
        const info = await transporter.sendMail({
          from: options.from,
          to: message.toName ? { name: message.toName, address: message.to } : message.to,
          ...(message.replyTo ? { replyTo: message.replyTo } : {}),
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.outboxId}@canceldesk>`,
          headers: { "X-CancelDesk-Message": message.outboxId },
        });
        return { providerMessageId: info.messageId ?? null };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        const text = error instanceof Error ? error.message : String(error);
        // 5xx is the server's final word on this message (bad mailbox, refused); 4xx and lost
        // connections are worth another try.
        throw new DeliveryError(
          `SMTP: ${text}`,
          typeof code === "number" && code >= 500 && code < 600,
        );
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/** Keeps every message in the `dev_mailbox` table, viewable at GET /api/dev/mailbox. */
export function devMailboxTransport(db: Db, now: () => Date): EmailTransport {
  return {
    kind: "dev_mailbox",
    async send(message) {
      const id = await insertDevMail(db, {
        outboxId: message.outboxId,
        channel: "email",
        recipient: message.toName ? `${message.toName} <${message.to}>` : message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        createdAt: now(),
      });
      return { providerMessageId: `dev-mailbox:${id}` };
    },
    async close() {},
  };
}
