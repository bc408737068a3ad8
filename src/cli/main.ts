#!/usr/bin/env node
// The natsgate command: nats-server's flags and config file, then a server until a signal stops it.
// The only place that exits the process.

import { rmSync, writeFileSync } from "node:fs";
import { validateSecurity } from "../auth/build-auth.js";
import { loadConfigFile } from "../config/load.js";
import { defaultOptions, type ServerOptions } from "../config/options.js";
import { NatsgateServer } from "../server.js";
import { createLogger } from "../util/logger.js";
import { NATS_SERVER_COMPAT_VERSION, NATSGATE_VERSION } from "../version.js";
import { isManagementCommand } from "./commands/command-words.js";
import { mergeOptions, parseFlags, usageText } from "./flags.js";

function fail(message: string, code = 1): never {
  process.stderr.write(`nats-server: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  // `natsgate stream ls`, `natsgate pub ...`: the management client, loaded only when asked for.
  if (isManagementCommand(argv)) {
    const { runManagementCommand } = await import("./commands/run.js");
    process.exit(await runManagementCommand(argv));
  }
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usageText()}\n`);
    process.exit(2);
  }
  if (flags.showHelp) {
    process.stdout.write(`${usageText()}\n`);
    process.exit(0);
  }
  if (flags.showVersion) {
    process.stdout.write(
      `natsgate v${NATSGATE_VERSION} (nats-server compatible v${NATS_SERVER_COMPAT_VERSION})\n`,
    );
    process.exit(0);
  }
  let fileOptions: ServerOptions;
  try {
    fileOptions = flags.configFile ? loadConfigFile(flags.configFile) : defaultOptions();
  } catch (err) {
    fail((err as Error).message);
  }
  const options = mergeOptions(fileOptions, flags.options);
  if (flags.configFile) options.configFile = flags.configFile;
  if (flags.testConfig) {
    // -t checks what only a start would otherwise find: users, accounts, imports, TLS files.
    try {
      validateSecurity(options);
    } catch (err) {
      fail(`${flags.configFile ?? ""}: ${(err as Error).message}`);
    }
    process.stdout.write(`nats-server: configuration file ${flags.configFile ?? ""} is valid\n`);
    process.exit(0);
  }
  const logger = createLogger({
    debug: options.debug,
    trace: options.trace,
    logtime: options.logtime,
    logFile: options.logFile,
  });
  const server = new NatsgateServer(options, logger);
  try {
    await server.start();
  } catch (err) {
    logger.fatal({ err }, `Error starting server: ${(err as Error).message}`);
    logger.flush();
    process.exit(1);
  }
  if (options.pidFile) writeFileSync(options.pidFile, String(process.pid));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`Trapped "${signal}" signal`);
    await server.close();
    if (options.pidFile) rmSync(options.pidFile, { force: true });
    logger.flush();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("interrupt"));
  process.on("SIGTERM", () => void shutdown("terminated"));
  // nats-server's signals: HUP reloads the config file, USR2 enters lame duck mode, USR1 reopens the log.
  process.on("SIGHUP", () => {
    if (!flags.configFile) {
      logger.error("Failed to reload server configuration: no configuration file");
      return;
    }
    try {
      const next = mergeOptions(loadConfigFile(flags.configFile), flags.options);
      next.configFile = flags.configFile;
      server.reload(next);
    } catch (err) {
      logger.error(`Failed to reload server configuration: ${(err as Error).message}`);
    }
  });
  process.on("SIGUSR2", () => {
    logger.info('Trapped "user defined signal 2" signal');
    void server.enterLameDuckMode().then(() => {
      if (options.pidFile) rmSync(options.pidFile, { force: true });
      logger.flush();
      process.exit(0);
    });
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`natsgate: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
