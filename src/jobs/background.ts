// The background work of one process: the outbox worker (often, and at once again while busy)
// and the timers (every half minute). Runs inside `serve` unless WORKER=off, and alone as
// `canceldesk worker`; any number of processes may run it against one database.
import type { AppContext } from "../app/context.ts";
import { catchUpCaseMetrics } from "../app/record-case-metrics.ts";
import type { Config } from "../config.ts";
import {
  devMailboxTransport,
  type EmailTransport,
  smtpTransport,
} from "../integrations/email/email-transport.ts";
import {
  devSmsProvider,
  httpSmsProvider,
  type SmsProvider,
} from "../integrations/sms/sms-provider.ts";
import { httpWebhookSender } from "../integrations/webhooks/webhook-sender.ts";
import { createOutboxWorker, type WorkerLog, type WorkerServices } from "./outbox-worker.ts";
import { runTimers } from "./timers.ts";

export interface BackgroundOptions {
  pollMs?: number;
  timerIntervalMs?: number;
  companyName?: string;
}

export function transportsFromConfig(
  ctx: AppContext,
  config: Pick<
    Config,
    "smtpUrl" | "mailFrom" | "smsProviderUrl" | "smsProviderToken" | "publicUrl"
  >,
): { email: EmailTransport; sms: SmsProvider } {
  return {
    email: config.smtpUrl
      ? smtpTransport({ url: config.smtpUrl, from: config.mailFrom })
      : devMailboxTransport(ctx.db, ctx.now),
    sms:
      config.smsProviderUrl && config.smsProviderToken
        ? httpSmsProvider({
            url: config.smsProviderUrl,
            token: config.smsProviderToken,
            statusCallbackUrl: `${config.publicUrl}/api/integrations/sms/status`,
          })
        : devSmsProvider(ctx.db, ctx.now),
  };
}

export function startBackgroundWork(
  ctx: AppContext,
  config: Config,
  log: WorkerLog,
  options: BackgroundOptions = {},
): { stop(): Promise<void> } {
  const transports = transportsFromConfig(ctx, config);
  if (transports.email.kind === "dev_mailbox") {
    log.info({}, "SMTP_URL is not set: email is kept in the dev mailbox (GET /api/dev/mailbox)");
  }
  if (transports.sms.kind === "dev_mailbox") {
    log.info({}, "SMS_PROVIDER_URL is not set: text messages are kept in the dev mailbox");
  }
  const services: WorkerServices = {
    db: ctx.db,
    now: ctx.now,
    sessionSecret: ctx.sessionSecret,
    publicUrl: config.publicUrl,
    // Unset: each message signs with the company name in the workspace settings.
    companyName: options.companyName,
    ...transports,
    webhooks: httpWebhookSender({ allowNonPublic: config.webhookPrivateAddresses }),
    log,
  };
  const worker = createOutboxWorker(services);
  const pollMs = options.pollMs ?? 1_000;
  const timerIntervalMs = options.timerIntervalMs ?? 30_000;
  let stopped = false;
  // Every sleeping loop, so stop() wakes them all (one shared wake woke only the last sleeper,
  // and stopping waited out the others' 30-second timers).
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function loop(name: string, intervalMs: number, round: () => Promise<boolean>) {
    while (!stopped) {
      let busy = false;
      try {
        busy = await round();
      } catch (error) {
        log.error({ err: error }, `${name} round failed`);
      }
      if (!busy && !stopped) await sleep(intervalMs);
    }
  }

  const running = Promise.all([
    loop("outbox worker", pollMs, async () => {
      const result = await worker.runOnce();
      return result.messages + result.webhooks > 0;
    }),
    loop("timers", timerIntervalMs, async () => {
      const result = await runTimers(ctx, log);
      if (Object.values(result).some((n) => n > 0)) log.info(result, "timers ran");
      return false;
    }),
    // The analytics rollup: sums up closed cases that have no metrics row yet (a backfill runs
    // batch after batch; afterwards it finds the few cases closed since the last round).
    loop("case metrics", timerIntervalMs, async () => {
      const written = await catchUpCaseMetrics(ctx.db, ctx.now(), 500);
      if (written > 0) log.info({ written }, "case metrics written");
      return written === 500;
    }),
  ]);
  return {
    async stop() {
      stopped = true;
      for (const wake of [...sleepers]) wake();
      await running;
      await transports.email.close();
    },
  };
}
