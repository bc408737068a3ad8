// Runs one management action with a connection opened from the global flags and always closed afterwards.

import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Command } from "commander";
import { type ConnectionFlags, connectWith, jetStreamOptions, timeoutMs } from "./connection.js";
import { type Output, processOutput } from "./output.js";

export interface Session {
  readonly nc: NatsConnection;
  readonly flags: ConnectionFlags;
  readonly out: Output;
  /** Request timeout in milliseconds. */
  readonly timeout: number;
  jsm(): Promise<JetStreamManager>;
  js(): JetStreamClient;
}

/** The options of `cmd` merged with the global connection flags. */
export function allOptions<T>(cmd: Command): T & ConnectionFlags {
  return cmd.optsWithGlobals() as T & ConnectionFlags;
}

export async function withSession<T>(cmd: Command, action: (s: Session) => Promise<T>): Promise<T> {
  const flags = allOptions<ConnectionFlags>(cmd);
  const nc = await connectWith(flags);
  const jsOpts = jetStreamOptions(flags);
  const session: Session = {
    nc,
    flags,
    out: processOutput,
    timeout: timeoutMs(flags),
    // checkAPI false: the nats CLI does not probe the account first either; errors come from the real call.
    jsm: () => jetstreamManager(nc, { ...jsOpts, checkAPI: false }),
    js: () => jetstream(nc, jsOpts),
  };
  try {
    return await action(session);
  } finally {
    await nc.close().catch(() => undefined);
  }
}
