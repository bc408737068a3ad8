// The standalone benchmark scripts that `bench/run.mjs` runs after its own workloads, each as a child
// process with its own output (they start their own servers and print their own ratios).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** name (as given to --workload), script, and whether the script understands --no-pin. */
export const STANDALONE = [
  {
    name: "websocket-pubsub",
    script: "websocket-pubsub.mjs",
    about: "NATS over WebSocket pub/sub",
    pinFlag: true,
  },
  {
    name: "jetstream-publish",
    script: "jetstream-publish.mjs",
    about: "JetStream publish with acks",
    pinFlag: true,
  },
  {
    name: "mqtt-pubsub",
    script: "mqtt-pubsub.mjs",
    about: "MQTT QoS 0/1, MQTT->NATS, sessions",
    pinFlag: false,
  },
];

/** The arguments passed on to a standalone script from run.mjs's own options. */
export function standaloneArgs(entry, opts) {
  const args = [];
  if (opts.quick) args.push("--quick");
  if (opts.roundsGiven) args.push("--rounds", String(opts.rounds));
  if (opts.servers.length === 1) args.push("--only", opts.servers[0]);
  if (opts.natsgate) args.push("--natsgate", opts.natsgate);
  if (!opts.pin && entry.pinFlag) args.push("--no-pin");
  return args;
}

/** Runs one script to completion with inherited output; resolves to its exit code (or the signal). */
export function runStandalone(entry, opts, onChild) {
  const file = fileURLToPath(new URL(`../${entry.script}`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...standaloneArgs(entry, opts)], { stdio: "inherit" });
    onChild(child);
    child.once("error", (err) => resolve(err.message));
    child.once("exit", (code, signal) => resolve(signal ?? code));
  });
}
