// What the benches share: a plain keep-alive HTTP client, percentiles, a free port, and the CPU
// time of a process and of the whole machine (the two cores are shared by the server, the
// database and the load generator, so every bench says who used them).
import { readFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";

/** More clients than any bench runs at once. */
const MAX_SOCKETS = 256;

/**
 * One HTTP request over a kept-alive connection with node:http. fetch (undici) cost the load
 * generator about 0.9 ms of CPU a request, a fifth of what the two cores had, in the same
 * measurement it was loading; the plain client costs a fraction of that.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });

export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        agent,
        headers:
          body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            setCookie: response.headers["set-cookie"] ?? [],
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    request.end(body);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** CPU seconds (user + system) a process has used, from /proc; undefined elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far, in clock ticks, from /proc/stat. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - ticks[3]! - ticks[4]!, total };
  } catch {
    return undefined;
  }
}

/** How busy the whole machine was between two readings of machineTicks, in percent. */
export function busyPercentBetween(
  before: ReturnType<typeof machineTicks>,
  after: ReturnType<typeof machineTicks>,
): number | undefined {
  return before && after
    ? (100 * (after.busy - before.busy)) / (after.total - before.total)
    : undefined;
}
