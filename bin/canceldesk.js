#!/usr/bin/env node
// The canceldesk command, run from source. tsx is registered here rather than with
// `node --import tsx` in the shebang: that form resolves tsx from the caller's working directory,
// and fails when run as `node bin/canceldesk.js` or from outside the project.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
