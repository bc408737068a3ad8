// The first words that make `natsgate` a management client instead of a server; kept free of imports so the
// server start path does not load the NATS client libraries.

const MANAGEMENT_COMMANDS: ReadonlySet<string> = new Set([
  "stream",
  "str",
  "consumer",
  "con",
  "pub",
  "publish",
  "sub",
  "subscribe",
  "req",
  "request",
  "reply",
  "kv",
  "object",
  "obj",
  "bench",
  "server",
]);

// The client's global flags that may come before the subcommand (`natsgate -s url stream ls`).
const GLOBAL_VALUE_FLAGS: ReadonlySet<string> = new Set([
  "-s",
  "--server",
  "--user",
  "--password",
  "--creds",
  "--nkey",
  "--tlscert",
  "--tlskey",
  "--tlsca",
  "--timeout",
  "--connection-name",
  "--js-domain",
  "--js-api-prefix",
]);

/**
 * True when argv names a management subcommand, possibly after client connection flags. Server flags never
 * lead to a subcommand word, so `natsgate -c file` and Go-style flags still start the server.
 */
export function isManagementCommand(argv: readonly string[]): boolean {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (MANAGEMENT_COMMANDS.has(arg)) return true;
    if (arg === "--tlsfirst") i += 1;
    else if (GLOBAL_VALUE_FLAGS.has(arg)) i += 2;
    else if (arg.includes("=") && GLOBAL_VALUE_FLAGS.has(arg.slice(0, arg.indexOf("=")))) i += 1;
    else return false;
  }
  return false;
}
