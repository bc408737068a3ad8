// Entry of the management subcommands: builds the commander program (nats CLI layout) and turns every failure
// into one `natsgate: error: ...` line with exit code 1.

import { Command, CommanderError } from "commander";
import { NATSGATE_VERSION } from "../../version.js";
import { registerBenchCommand } from "./bench-command.js";
import { describeError } from "./cli-error.js";
import { addConnectionOptions } from "./connection.js";
import { registerConsumerCommands } from "./consumer-command.js";
import { registerKvCommands } from "./kv-command.js";
import { registerObjectCommands } from "./object-command.js";
import { registerPubSubCommands } from "./pubsub-command.js";
import { registerServerCommands } from "./server-command.js";
import { registerStreamCommands } from "./stream-command.js";

/** The program with every management command; exported for tests that inspect flags. */
export function buildProgram(): Command {
  const program = new Command("natsgate")
    .description("NATS management utility (the nats CLI's workflows, shipped with natsgate)")
    .version(NATSGATE_VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`natsgate: ${s.replace(/^error: /, "error: ").trim()}\n`),
    });
  addConnectionOptions(program);
  registerStreamCommands(program);
  registerConsumerCommands(program);
  registerPubSubCommands(program);
  registerKvCommands(program);
  registerObjectCommands(program);
  registerServerCommands(program);
  registerBenchCommand(program);
  // Subcommands inherit the error handling so their usage errors are one line and exit 1 as well.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.copyInheritedSettings(cmd);
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs one management command; resolves with the process exit code. */
export async function runManagementCommand(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exitCode 0; usage errors were already printed by outputError.
      return err.exitCode === 0 ? 0 : 1;
    }
    process.stderr.write(`natsgate: error: ${describeError(err)}\n`);
    return 1;
  }
}
