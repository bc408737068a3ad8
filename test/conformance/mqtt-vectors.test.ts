// Replays every MQTT conversation in ../shared/conformance/mqtt-vectors (from mosquitto's broker
// tests) against natsgate over real sockets. Deliberate deviations are listed below with the spec clause.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { runVector, type VectorGroup } from "./mqtt-vector-runner.js";

const DIR = join(process.cwd(), "../shared/conformance/mqtt-vectors");

/**
 * Vectors where natsgate answers differently on purpose: "<file> <group> > <name>" → why, with the clause.
 * `bytes` deviations still must agree on disconnect versus stay-connected; `disconnect` ones may not.
 */
export const DEVIATIONS: Record<string, { kind: "bytes" | "disconnect"; clause: string; why: string }> = {};

const files = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => f.endsWith(".json"))
      .sort()
  : [];

describe.skipIf(files.length === 0)("MQTT conformance vectors", () => {
  let server: NatsgateServer;

  beforeAll(async () => {
    server = await createServer({ port: 0, mqtt: { port: 0 } });
  });

  afterAll(async () => {
    await server.close();
  });

  for (const file of files) {
    const groups = JSON.parse(readFileSync(join(DIR, file), "utf8")) as VectorGroup[];
    for (const g of groups) {
      if (g.disable) continue;
      describe(`${file} ${g.group.trim()}`, () => {
        for (const t of g.tests) {
          const key = `${file} ${g.group.trim()} > ${t.name}`;
          it(t.name, async () => {
            const outcome = await runVector(server.mqttPort, `${g.group.trim()}/${t.name}`.slice(0, 200), t);
            const dev = DEVIATIONS[key];
            if (dev?.kind !== "disconnect") expect(outcome.disconnectMismatch).toBeNull();
            if (dev === undefined) expect(outcome.byteMismatches).toEqual([]);
          });
        }
      });
    }
  }
});

// Says why in the run when the vectors are missing (they live in the workplace's shared/, beside the repo).
describe.skipIf(files.length > 0)("MQTT conformance vectors", () => {
  it.skipIf(files.length === 0)(`vectors not found at ${DIR}`, () => undefined);
});
