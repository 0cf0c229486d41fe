import { defineConfig } from "vitest/config";

// Three projects: pure unit tests (no database), and the database tests (`*.db.test.ts`) run
// once on embedded PGlite and once on PostgreSQL. PostgreSQL runs when TEST_DATABASE_URL is set;
// in CI it must be set, because a missing database there is a failure, not a skip.
const postgresUrl = process.env.TEST_DATABASE_URL;
if (process.env.CI === "true" && !postgresUrl) {
  throw new Error(
    "CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests cannot be skipped in CI.",
  );
}

const dbTests = ["src/**/*.db.test.ts", "test/**/*.db.test.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...dbTests, "test/e2e/**", "node_modules/**"],
        },
      },
      {
        test: {
          name: "pglite",
          include: dbTests,
          env: { TEST_DB_KIND: "pglite" },
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                name: "postgres",
                include: dbTests,
                env: { TEST_DB_KIND: "postgres", TEST_DATABASE_URL: postgresUrl },
                testTimeout: 30_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
    ],
  },
});
