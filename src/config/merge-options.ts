// Combines options from the config file with those from the command line: a flag given on the
// command line wins over the file, as nats-server re-applies its flags after reading the file.

import type { JetStreamOptions, ServerOptions } from "./options.js";
import { isConfigMap } from "./tree-meta.js";

/** Options as the command line gives them: only what was on it, JetStream and `extra` partial. */
export type FlagOptions = Partial<Omit<ServerOptions, "jetstream">> & {
  jetstream?: Partial<JetStreamOptions>;
};

export function mergeOptions(fileOpts: ServerOptions, flagOpts: FlagOptions): ServerOptions {
  const { jetstream, extra, ...scalars } = flagOpts;
  const out: ServerOptions = {
    ...fileOpts,
    jetstream: { ...fileOpts.jetstream },
    extra: { ...fileOpts.extra },
    unknownKeys: [...fileOpts.unknownKeys],
  };
  for (const [key, value] of Object.entries(scalars)) {
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
  }
  // nats-server binds monitoring to the client host unless the file named an http host of its own.
  if (flagOpts.host !== undefined && flagOpts.httpHost === undefined && fileOpts.httpHost === fileOpts.host)
    out.httpHost = flagOpts.host;
  if (jetstream) {
    for (const [key, value] of Object.entries(jetstream)) {
      if (value !== undefined) (out.jetstream as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (extra) out.extra = deepMerge(out.extra, extra);
  return out;
}

/** Maps merge key by key (the overriding side wins); anything else is replaced. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isConfigMap(prev) && isConfigMap(value) ? deepMerge(prev, value) : value;
  }
  return out;
}
