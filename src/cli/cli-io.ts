// What a CLI command is handed: where to write and the environment to read config from. Tests
// run commands in-process with captured output.

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress is redrawn in place on a terminal and printed as plain lines otherwise. */
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
}

export interface CliCommand {
  help: string;
  /** Answers the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The command line is wrong: the message and the command's help are printed, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}
