import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Projects: pure unit tests (no database); the database tests (`*.db.test.ts`) run once on
// embedded PGlite and once on PostgreSQL (when TEST_DATABASE_URL is set; in CI it must be set,
// because a missing database there is a failure, not a skip); the web app's component tests in
// jsdom; and the browser journeys (`test/e2e`), which build the web app once and drive a real
// server in Debian's Chromium (a missing Chromium fails in CI and skips elsewhere).
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
      {
        plugins: [react()],
        test: {
          name: "web",
          include: ["web/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["web/test-setup.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          env: { TEST_DB_KIND: "pglite" },
          globalSetup: ["test/global-setup.ts", "test/e2e/global-setup.ts"],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // Each journey file runs its own server and Chromium: one at a time keeps them steady.
          fileParallelism: false,
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
