// Stream and service imports between accounts: messages cross from the exporting account's subject space
// into the importer's (stream), and requests cross the other way with their replies mapped back (service),
// as nats-server accounts.go does with shadow subscriptions and `_R_.` response imports.

import { randomBytes } from "node:crypto";
import type { Account } from "./account.js";
import type { InternalClient } from "./internal-client.js";
import { route } from "./router.js";

export type NewInternalClient = (account: Account, name: string) => InternalClient;

/** A message may cross at most this many imports in one publish (stops cycles such as A→B→A). */
const MAX_IMPORT_DEPTH = 4;
/** nats-server DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD: a request's reply mapping lives this long. */
const RESPONSE_TTL_MS = 2 * 60 * 1000;
/** Reply mappings kept per service import before the oldest are dropped. */
const MAX_PENDING_RESPONSES = 100_000;

interface PendingResponse {
  reply: string;
  at: number;
}

/** Maps a subject matching `from` onto `to`, wildcards taken in order (nats-server transform for imports). */
export function transformSubject(from: string, to: string, subject: string): string {
  if (from === to) return subject;
  const fromTokens = from.split(".");
  const tokens = subject.split(".");
  const captured: string[] = [];
  let rest = "";
  for (let i = 0; i < fromTokens.length; i++) {
    if (fromTokens[i] === "*") captured.push(tokens[i] ?? "");
    else if (fromTokens[i] === ">") rest = tokens.slice(i).join(".");
  }
  let next = 0;
  return to
    .split(".")
    .map((t) => (t === "*" ? (captured[next++] ?? "") : t === ">" ? rest : t))
    .join(".");
}

export class AccountLinks {
  private depth = 0;
  private readonly clients: InternalClient[] = [];

  constructor(private readonly newClient: NewInternalClient) {}

  /** Messages published in `exporter` on `subject` appear in `importer` on `localSubject` (mapped). */
  addStreamImport(exporter: Account, importer: Account, subject: string, localSubject: string): void {
    const client = this.newClient(exporter, `stream import to ${importer.name}`);
    this.clients.push(client);
    client.subscribe(subject, (_sub, msgSubject, reply, headers, payload) => {
      this.cross(importer, transformSubject(subject, localSubject, msgSubject), reply, headers, payload);
    });
  }

  /**
   * Requests made in `importer` on `localSubject` reach `exporter` on `subject`; the reply subject is replaced
   * by a `_R_.` subject of the exporter that routes responses back (once for singleton services).
   */
  addServiceImport(
    exporter: Account,
    importer: Account,
    subject: string,
    localSubject: string,
    singleton: boolean,
  ): void {
    const prefix = `_R_.${randomBytes(6).toString("base64url").replace(/[-_]/g, "x")}.`;
    const pending = new Map<string, PendingResponse>();
    let seq = 0;
    const requests = this.newClient(importer, `service import from ${exporter.name}`);
    const responses = this.newClient(exporter, `service responses to ${importer.name}`);
    this.clients.push(requests, responses);
    requests.subscribe(localSubject, (_sub, msgSubject, reply, headers, payload) => {
      let mappedReply: string | null = null;
      if (reply !== null) {
        mappedReply = `${prefix}${(seq++).toString(36)}`;
        pending.set(mappedReply, { reply, at: Date.now() });
        if (pending.size > 1024) prunePending(pending);
      }
      this.cross(
        exporter,
        transformSubject(localSubject, subject, msgSubject),
        mappedReply,
        headers,
        payload,
      );
    });
    responses.subscribe(`${prefix}>`, (_sub, msgSubject, reply, headers, payload) => {
      const p = pending.get(msgSubject);
      if (p === undefined) return;
      if (singleton || Date.now() - p.at > RESPONSE_TTL_MS) pending.delete(msgSubject);
      this.cross(importer, p.reply, reply, headers, payload);
    });
  }

  private cross(
    into: Account,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): void {
    if (this.depth >= MAX_IMPORT_DEPTH) return;
    this.depth++;
    try {
      route(into, null, subject, reply, headers, payload);
    } finally {
      this.depth--;
    }
  }

  close(): void {
    for (const c of this.clients) c.close();
    this.clients.length = 0;
  }
}

/** Drops expired mappings, then the oldest while over the bound (Map keeps insertion order). */
function prunePending(pending: Map<string, PendingResponse>): void {
  const now = Date.now();
  for (const [k, p] of pending) {
    if (now - p.at <= RESPONSE_TTL_MS && pending.size <= MAX_PENDING_RESPONSES) break;
    pending.delete(k);
  }
}
