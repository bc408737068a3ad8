// The server's logger: the only place that imports pino. Levels follow nats-server's flags
// (-D debug, -V trace); messages keep nats-server's wording so operators recognise them.

import { pino } from "pino";

export type Logger = pino.Logger;

export interface LoggerOptions {
  debug?: boolean;
  trace?: boolean;
  logtime?: boolean;
  logFile?: string;
  /** Silence everything (tests that embed many servers). */
  silent?: boolean;
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.silent ? "silent" : opts.trace ? "trace" : opts.debug ? "debug" : "info";
  const destination = opts.logFile
    ? pino.destination({ dest: opts.logFile, append: true, mkdir: true, sync: false })
    : pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      name: opts.name,
      base: { pid: process.pid },
      timestamp: opts.logtime === false ? false : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that writes nothing: the default for embedded servers unless asked otherwise. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
