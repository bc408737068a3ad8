// Differential checks of the INFO greeting: its framing, field names and the values that must agree with
// nats-server 2.9.10 (ids, ports and versions of the Go runtime differ by nature and are only shape-checked).

import { describe, expect, it } from "vitest";
import { RawClient } from "../helpers/raw-client.js";
import {
  natsgateTarget,
  natsServerTarget,
  reportSkippedReference,
  SETUPS,
  type SetupName,
  type Target,
} from "./support/targets.js";

interface InfoCase {
  setup: SetupName;
  /** Field values both servers must send (probed from nats-server 2.9.10). */
  values: Record<string, unknown>;
}

// Field names nats-server 2.9.10 sends on a plain TCP listener without TLS, cluster or JetStream.
const BASE_FIELDS = [
  "server_id",
  "server_name",
  "version",
  "proto",
  "go",
  "host",
  "port",
  "headers",
  "max_payload",
  "client_id",
  "client_ip",
];
const COMMON = { version: "2.9.10", proto: 1, host: "127.0.0.1", headers: true, client_ip: "127.0.0.1" };

const CASES: Record<string, InfoCase> = {
  "a default server": { setup: "default", values: { ...COMMON, max_payload: 1048576 } },
  "max_payload 8": { setup: "maxPayload8", values: { ...COMMON, max_payload: 8 } },
  "user/password auth": {
    setup: "userPass",
    values: { ...COMMON, max_payload: 1048576, auth_required: true },
  },
  "token auth": { setup: "token", values: { ...COMMON, max_payload: 1048576, auth_required: true } },
};

reportSkippedReference();
// Filled by the nats-server side, read by the natsgate side (vitest runs a file's tests in order).
const referenceFields = new Map<string, string[]>();

async function withTwoClients<T>(
  target: Target,
  setup: SetupName,
  fn: (a: RawClient, b: RawClient, port: number) => T,
) {
  const server = await target.start(SETUPS[setup]);
  const clients: RawClient[] = [];
  try {
    clients.push(await RawClient.connect(server.port));
    clients.push(await RawClient.connect(server.port));
    return fn(clients[0]!, clients[1]!, server.port);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
}

function infoSide(target: Target) {
  return () => {
    for (const [title, c] of Object.entries(CASES)) {
      it(`INFO for ${title}`, async () => {
        await withTwoClients(target, c.setup, (a, b, port) => {
          const fields = Object.keys(a.info).sort();
          const expected = [...BASE_FIELDS, ...("auth_required" in c.values ? ["auth_required"] : [])].sort();
          expect(fields).toEqual(expected);
          if (target === natsServerTarget) referenceFields.set(title, fields);
          const ref = referenceFields.get(title);
          if (ref) expect(fields).toEqual(ref);
          for (const [k, v] of Object.entries(c.values)) expect(a.info[k], k).toEqual(v);
          expect(a.info.port).toBe(port);
          // nats-server ids are nkeys-style public keys: "N" + 55 base32 characters.
          expect(a.info.server_id).toMatch(/^N[A-Z2-7]{55}$/);
          expect(a.info.server_name).toBe(a.info.server_id);
          expect(typeof a.info.go).toBe("string");
          expect(a.info.nonce).toBeUndefined();
          // Same server, next connection: same server fields, the next client id.
          expect(b.info.server_id).toBe(a.info.server_id);
          expect(Number.isInteger(a.info.client_id) && (a.info.client_id as number) > 0).toBe(true);
          expect(b.info.client_id).toBe((a.info.client_id as number) + 1);
        });
      });
    }

    it("INFO framing: 'INFO ', the JSON, a space, CRLF; nothing else before CONNECT", async () => {
      await withTwoClients(target, "default", (a) => {
        const raw = a.received().toString("latin1");
        expect(raw).toMatch(/^INFO \{[^\r\n]*\} \r\n$/);
        expect(raw).toBe(`INFO ${JSON.stringify(a.info)} \r\n`);
      });
    });
  };
}

describe.skipIf(!natsServerTarget.enabled)("INFO [nats-server]", infoSide(natsServerTarget));
describe.skipIf(!natsgateTarget.enabled)("INFO [natsgate]", infoSide(natsgateTarget));
