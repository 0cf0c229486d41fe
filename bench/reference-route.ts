// Measures issue 3's yardstick on its own (see bench/reference.ts): a plain Fastify route doing
// one Kysely INSERT transaction on PostgreSQL. bench/lifecycle.ts measures it too, just before
// its PostgreSQL run, and judges the target against it.
//
//   npx tsx bench/reference-route.ts [--seconds S] [--concurrency C] [--database-url URL]
//
// With --serve PORT --schema S it is the reference server (the child process the measurement
// starts).
import { parseArgs } from "node:util";
import { describeReference, measureReference, serveReference } from "./reference.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
    "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/test" },
    serve: { type: "string" },
    schema: { type: "string" },
  },
});

if (values.serve) {
  await serveReference(Number(values.serve), values["database-url"]!, values.schema!);
} else {
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) {
    throw new Error(`--seconds must be a whole number from 1 to 600, got "${values.seconds}"`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new Error(
      `--concurrency must be a whole number from 1 to 256, got "${values.concurrency}"`,
    );
  }
  const figures = await measureReference({
    seconds,
    concurrency,
    databaseUrl: values["database-url"]!,
  });
  console.log(
    `${describeReference(figures)}\n` +
      `half of it, the case commands' target: ${(figures.perSecond / 2).toFixed(0)} commands/s (STACK.md: about 3,200/s -> 1,600)`,
  );
}
