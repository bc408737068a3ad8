// MQTT 5 request/reply through NATS with correlation data kept: a request carrying a response topic and
// correlation data goes out with a unique reply subject (`$MQTT.resp.<tag>.<n>`) and the data in the
// `Nmqtt-Corr` header; the reply to that subject is published on the response topic with the data back.

import { randomBytes } from "node:crypto";
import type { Account } from "../../core/account.js";
import { InternalClient } from "../../core/internal-client.js";

/** The NATS header that carries MQTT 5 correlation data (base64) on a request. */
export const NMQTT_CORR = "Nmqtt-Corr";

/** Requests remembered at once per server, and for how long a reply is mapped back. */
const MAX_PENDING = 10_000;
const TTL_MS = 120_000;

interface Pending {
  account: Account;
  responseTopic: string;
  correlationData: Buffer;
  expiresAt: number;
}

/** Called with the reply: publish it on the MQTT response topic with the correlation data. */
export type ReplyHandler = (
  account: Account,
  responseTopic: string,
  correlationData: Buffer,
  headers: Buffer | null,
  payload: Buffer,
) => void;

export class ResponseCorrelation {
  private readonly prefix = `$MQTT.resp.${randomBytes(6).toString("hex")}.`;
  private readonly clients = new Map<Account, InternalClient>();
  private readonly pending = new Map<string, Pending>();
  private next = 1;

  constructor(
    private readonly newCid: () => number,
    private readonly onReply: ReplyHandler,
  ) {}

  /** The reply subject for a request; replies to it come back as MQTT messages on `responseTopic`. */
  register(account: Account, responseTopic: string, correlationData: Buffer): string {
    this.listen(account);
    const now = Date.now();
    // Oldest first (Map order): drop the expired ones, and over the cap the oldest.
    for (const [key, p] of this.pending) {
      if (p.expiresAt > now && this.pending.size < MAX_PENDING) break;
      this.pending.delete(key);
    }
    const reply = this.prefix + String(this.next++);
    this.pending.set(reply, {
      account,
      responseTopic,
      correlationData: Buffer.from(correlationData),
      expiresAt: now + TTL_MS,
    });
    return reply;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.pending.clear();
  }

  private listen(account: Account): void {
    if (this.clients.has(account)) return;
    const client = new InternalClient(this.newCid(), account, "MQTT");
    // Several replies (a stream of responses) may come back for one request until it expires.
    client.subscribe(`${this.prefix}*`, (_sub, subject, _reply, headers, payload) => {
      const p = this.pending.get(subject);
      if (p === undefined || p.expiresAt <= Date.now()) return;
      this.onReply(p.account, p.responseTopic, p.correlationData, headers, payload);
    });
    this.clients.set(account, client);
  }
}
