// Argument parsing for the commands, on node:util's parseArgs, with its errors turned into the
// CLI's usage errors (exit code 2, with the command's help).
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./cli-io.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<O extends Options>(args: string[], options: O, help: string) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
    if (error instanceof TypeError && "code" in error) throw new UsageError(error.message, help);
    throw error;
  }
}
