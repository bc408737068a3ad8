// Shared setup for the JetStream stream integration tests: a natsgate server with JetStream in a
// fresh store directory per test, an official client with its JetStreamManager, and raw API requests.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ApiError,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { connect, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, beforeEach } from "vitest";
import type { JetStreamOptions } from "../../src/config/options.js";
import { createServer, type NatsgateServer } from "../../src/index.js";
import type { JsAccount } from "../../src/jetstream/jetstream-account.js";

export interface JsHandle {
  readonly server: NatsgateServer;
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly storeDir: string;
  /** The global account's JetStream (streams, stats) for white-box checks. */
  account(): JsAccount;
  /** A raw request; resolves with the reply parsed as JSON. */
  api(subject: string, body?: unknown, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** A raw request with optional headers; resolves with the reply message's data as text and headers. */
  raw(
    subject: string,
    body?: string,
    headers?: MsgHdrs,
    timeoutMs?: number,
  ): Promise<{ data: string; headers?: MsgHdrs }>;
  /** Restarts the server on the same store directory (clean shutdown) and reconnects. */
  restart(): Promise<void>;
}

/** A natsgate server with JetStream for each test of the enclosing describe block. */
export function useJetStream(extra: Partial<JetStreamOptions> = {}): JsHandle {
  let server: NatsgateServer | null = null;
  let nc: NatsConnection | null = null;
  let jsm: JetStreamManager | null = null;
  let js: JetStreamClient | null = null;
  let storeDir = "";

  const open = async () => {
    server = await createServer({ port: 0, jetstream: { storeDir, ...extra } });
    nc = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  };
  const shut = async () => {
    await nc?.close();
    await server?.close();
    nc = null;
    server = null;
  };

  beforeEach(async () => {
    storeDir = mkdtempSync(join(tmpdir(), "natsgate-js-"));
    await open();
  });
  afterEach(async () => {
    await shut();
    rmSync(storeDir, { recursive: true, force: true });
  });

  const need = <T>(v: T | null, what: string): T => {
    if (v === null) throw new Error(`useJetStream: ${what} is only available inside a test`);
    return v;
  };
  const dec = new TextDecoder();
  return {
    get server() {
      return need(server, "server");
    },
    get nc() {
      return need(nc, "nc");
    },
    get jsm() {
      return need(jsm, "jsm");
    },
    get js() {
      return need(js, "js");
    },
    get storeDir() {
      return storeDir;
    },
    account() {
      const acc = need(server, "server").jetstream?.accounts.get("$G");
      if (acc === undefined) throw new Error("JetStream is not enabled in $G");
      return acc;
    },
    async api(subject, body, timeoutMs = 2000) {
      const payload = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
      const m = await need(nc, "nc").request(subject, payload, { timeout: timeoutMs });
      return JSON.parse(dec.decode(m.data)) as Record<string, unknown>;
    },
    async raw(subject, body = "", headers, timeoutMs = 2000) {
      const m = await need(nc, "nc").request(subject, body, { timeout: timeoutMs, headers });
      return { data: dec.decode(m.data), headers: m.headers };
    },
    async restart() {
      await shut();
      await open();
    },
  };
}

/** The API error a JetStreamManager/JetStreamClient call failed with (fails the test otherwise). */
export async function apiErrorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JetStreamApiError) return err.apiError();
    throw err;
  }
  throw new Error("expected the call to fail with a JetStream API error");
}

/** Both storage types, for describe.each. */
export const STORAGES = ["memory", "file"] as const;
