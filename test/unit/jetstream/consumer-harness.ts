// In-process JetStream for consumer unit tests: a real JetStream (streams, API router, memory or file
// stores) with the consumer extension, driven by an internal client that records what it receives.
// No sockets: requests and deliveries run synchronously through the core router.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Account } from "../../../src/core/account.js";
import { parseHeaders } from "../../../src/core/headers.js";
import { InternalClient } from "../../../src/core/internal-client.js";
import type { Consumer } from "../../../src/jetstream/consumer.js";
import { createConsumerExtension } from "../../../src/jetstream/consumer-extension.js";
import { JetStream } from "../../../src/jetstream/jetstream.js";
import type { JsAccount } from "../../../src/jetstream/jetstream-account.js";
import { createMessageStore } from "../../../src/storage/index.js";
import { silentLogger } from "../../../src/util/logger.js";

export interface Received {
  subject: string;
  reply: string | null;
  headers: Buffer | null;
  payload: Buffer;
  /** Status code of a status message (100, 404, 408, 409), 0 for a message. */
  status: number;
  description: string;
  /** Header values by name (first value). */
  hdr: Record<string, string>;
  at: number;
}

export interface Harness {
  readonly js: JetStream;
  readonly account: Account;
  readonly jsa: JsAccount;
  readonly client: InternalClient;
  readonly dir: string;
  /** A JSON API request; returns the parsed reply (throws when none came). */
  api(subject: string, body?: unknown): Record<string, unknown>;
  /** Publishes (a stream subject: returns the PubAck JSON, or null when there was no reply). */
  pub(subject: string, payload?: string | Buffer, headers?: Buffer | null): Record<string, unknown> | null;
  /** Subscribes and collects what arrives. */
  collect(subject: string, queue?: string | null): Collector;
  /** The consumer object behind a stream's consumer name. */
  consumer(stream: string, name: string): Consumer;
  /** Shuts JetStream down (streams and consumers stopped, files kept). */
  close(): void;
  /** Closes and starts a new JetStream on the same directory. */
  restart(): Harness;
}

export interface Collector {
  readonly msgs: Received[];
  /** Messages that are not status messages. */
  data(): Received[];
  statuses(): Received[];
  unsubscribe(): void;
}

let nextCid = 1_000_000;

/** Polls `cond` on every macrotask turn until it holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets queued microtasks and immediates run (delivery loops are scheduled, not synchronous). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

export function createHarness(existingDir?: string): Harness {
  const dir = existingDir ?? mkdtempSync(join(tmpdir(), "natsgate-consumer-"));
  const account = new Account("$G");
  const ext = createConsumerExtension();
  const js = new JetStream({
    options: {
      enabled: true,
      storeDir: dir,
      maxMemory: -1,
      maxFile: -1,
      syncInterval: 1000,
      syncAlways: false,
    },
    serverId: "NTEST",
    serverName: "test",
    logger: silentLogger(),
    storeFactory: createMessageStore,
    newInternalClient: (acc) => new InternalClient(nextCid++, acc, "JetStream"),
    extensions: [ext],
  });
  js.start();
  const jsa = js.enableAccount(account);
  const client = new InternalClient(nextCid++, account, "test");
  let inboxSeq = 0;

  const request = (subject: string, payload: Buffer, headers: Buffer | null = null): Received | null => {
    const inbox = `_INBOX.h.${++inboxSeq}`;
    let got: Received | null = null;
    const sub = client.subscribe(inbox, (_s, subj, reply, h, p) => {
      got ??= toReceived(subj, reply, h, p);
    });
    client.publish(subject, inbox, headers, payload);
    client.unsubscribe(sub);
    return got;
  };

  const h: Harness = {
    js,
    account,
    jsa,
    client,
    dir,
    api(subject, body) {
      const payload = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
      const r = request(subject, Buffer.from(payload));
      if (r === null) throw new Error(`no reply to ${subject}`);
      return JSON.parse(r.payload.toString()) as Record<string, unknown>;
    },
    pub(subject, payload = "", headers = null) {
      const r = request(subject, typeof payload === "string" ? Buffer.from(payload) : payload, headers);
      return r === null ? null : (JSON.parse(r.payload.toString()) as Record<string, unknown>);
    },
    collect(subject, queue = null) {
      const msgs: Received[] = [];
      const sub = client.subscribe(
        subject,
        (_s, subj, reply, hd, p) => msgs.push(toReceived(subj, reply, hd, p)),
        queue,
      );
      return {
        msgs,
        data: () => msgs.filter((m) => m.status === 0),
        statuses: () => msgs.filter((m) => m.status !== 0),
        unsubscribe: () => client.unsubscribe(sub),
      };
    },
    consumer(stream, name) {
      const c = jsa.lookupStream(stream)?.consumers.get(name);
      if (c === undefined) throw new Error(`no consumer ${stream} > ${name}`);
      return c as Consumer;
    },
    close() {
      client.close();
      js.close();
    },
    restart() {
      h.close();
      return createHarness(dir);
    },
  };
  return h;
}

/** Removes a harness's directory (after close). */
export function removeHarnessDir(h: Harness): void {
  rmSync(h.dir, { recursive: true, force: true });
}

function toReceived(
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
): Received {
  let status = 0;
  let description = "";
  const hdr: Record<string, string> = {};
  if (headers !== null && headers.length > 0) {
    const parsed = parseHeaders(headers);
    status = parsed.status;
    description = parsed.description;
    for (const [k, v] of parsed.entries) if (!(k in hdr)) hdr[k] = v;
  }
  return { subject, reply, headers, payload: Buffer.from(payload), status, description, hdr, at: Date.now() };
}

/** The five numbers of an ack reply subject. */
export function ackInfo(reply: string | null): {
  dc: number;
  sseq: number;
  dseq: number;
  ts: string;
  pending: number;
} {
  const t = (reply ?? "").split(".");
  return { dc: Number(t[4]), sseq: Number(t[5]), dseq: Number(t[6]), ts: t[7] ?? "", pending: Number(t[8]) };
}
