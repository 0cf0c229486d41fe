// Once per e2e run: build the web app (what `npm start` serves) and check Chromium is there.
// In CI a missing Chromium fails the run; on a laptop without it the journeys skip, saying why.
import { existsSync } from "node:fs";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { CHROMIUM } from "./browser.ts";

declare module "vitest" {
  export interface ProvidedContext {
    chromium: boolean;
  }
}

export default async function setup(project: TestProject) {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI === "true") {
    throw new Error(
      `CI=true but Chromium is not at ${CHROMIUM}: install it with apt-get install -y chromium (.ci/run does).`,
    );
  }
  project.provide("chromium", present);
  if (!present) return;
  await build({ configFile: "web/vite.config.ts", logLevel: "warn" });
}
