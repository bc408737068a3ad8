// Starts natsgate in-process from the text of a nats-server config file (as the compat tests give
// nats-server the same text), on 127.0.0.1 and a free port.

import { optionsFromTree } from "../../src/config/load.js";
import { parseConfig } from "../../src/config/parser.js";
import { createServer, type NatsgateServer } from "../../src/index.js";

export async function serverFromConfig(text: string): Promise<NatsgateServer> {
  const opts = optionsFromTree(parseConfig(text));
  return createServer({ ...opts, host: "127.0.0.1", port: 0 });
}
