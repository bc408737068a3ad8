// The MQTT edge's JetStream client for one account: requests on `$JS.API.*` and stream publishes from an
// internal client, as nats-server's MQTT code does (mqttJSA). MQTT never touches storage directly.

import type { Account } from "../../core/account.js";
import { InternalClient } from "../../core/internal-client.js";
import type { Logger } from "../../util/logger.js";

/** A stored message as STREAM.MSG.GET returns it, decoded. */
export interface JsStoredMessage {
  subject: string;
  seq: number;
  payload: Buffer;
}

type Json = Record<string, unknown>;

export class MqttJsApi {
  private readonly client: InternalClient;
  private readonly inbox: string;
  private nextReply = 1;
  /** Replies not answered inside route() (durable publish acks): checked for errors when they come. */
  private readonly waiting = new Map<string, (payload: Buffer) => void>();
  private closed = false;

  constructor(
    readonly account: Account,
    cid: number,
    tag: string,
    private readonly logger: Logger,
  ) {
    this.client = new InternalClient(cid, account, "MQTT");
    this.inbox = `$MQTT.JSA.${tag}.`;
    this.client.subscribe(`${this.inbox}*`, (_sub, subject, _reply, _headers, payload) => {
      const cb = this.waiting.get(subject);
      if (cb === undefined) return;
      this.waiting.delete(subject);
      cb(payload);
    });
  }

  /**
   * A JetStream API request. JetStream answers most of them synchronously inside route(): the answer is
   * returned; null when none came yet (then an error answer arriving later is logged).
   */
  request(subject: string, body: Json): Json | null {
    if (this.closed) return null;
    let answer: Json | null = null;
    const reply = this.replySubject((p) => {
      answer = parseJson(p);
    });
    this.client.publish(subject, reply, null, Buffer.from(JSON.stringify(body)));
    if (answer !== null) return answer;
    this.waiting.set(reply, (p) => this.logIfError(subject, parseJson(p)));
    return null;
  }

  /** Stores a message on a stream subject; a failed store (negative ack) is logged. */
  publish(subject: string, payload: Buffer): void {
    if (this.closed) return;
    const reply = this.replySubject((p) => this.logIfError(subject, parseJson(p)));
    this.client.publish(subject, reply, null, payload);
  }

  /** Creates (or finds, when the config is the same) a stream; returns an error text or null. */
  ensureStream(config: Json): string | null {
    const name = String(config.name);
    const answer = this.request(`$JS.API.STREAM.CREATE.${name}`, config);
    if (answer === null) return "JetStream did not answer (not enabled for this account?)";
    const err = answer.error as { description?: string } | undefined;
    if (err === undefined) return null;
    // An existing stream with another config: use it as it is (an operator may have changed limits).
    if (this.request(`$JS.API.STREAM.INFO.${name}`, {})?.error === undefined) return null;
    return err.description ?? "stream create failed";
  }

  streamExists(name: string): boolean {
    const answer = this.request(`$JS.API.STREAM.INFO.${name}`, {});
    return answer !== null && answer.error === undefined;
  }

  /** The first message at or after `seq` on a subject matching `filter`, or null. */
  nextMessage(stream: string, filter: string, seq: number): JsStoredMessage | null {
    const answer = this.request(`$JS.API.STREAM.MSG.GET.${stream}`, { seq, next_by_subj: filter });
    const m = answer?.message as { subject?: string; seq?: number; data?: string } | undefined;
    if (m === undefined || typeof m.subject !== "string" || typeof m.seq !== "number") return null;
    return { subject: m.subject, seq: m.seq, payload: Buffer.from(m.data ?? "", "base64") };
  }

  /** Every message of a stream matching `filter`, in sequence order. */
  *messages(stream: string, filter: string): Generator<JsStoredMessage> {
    let seq = 1;
    for (;;) {
      const m = this.nextMessage(stream, filter, seq);
      if (m === null) return;
      yield m;
      seq = m.seq + 1;
    }
  }

  /** Removes every message on one subject. */
  purgeSubject(stream: string, subject: string): void {
    this.request(`$JS.API.STREAM.PURGE.${stream}`, { filter: subject });
  }

  close(): void {
    this.closed = true;
    this.waiting.clear();
    this.client.close();
  }

  private replySubject(cb: (payload: Buffer) => void): string {
    const reply = this.inbox + String(this.nextReply++);
    this.waiting.set(reply, cb);
    return reply;
  }

  private logIfError(subject: string, answer: Json | null): void {
    const err = answer?.error as { description?: string } | undefined;
    if (err !== undefined)
      this.logger.warn(`MQTT JetStream request on ${subject} failed: ${err.description ?? "unknown error"}`);
  }
}

function parseJson(payload: Buffer): Json | null {
  try {
    const v: unknown = JSON.parse(payload.toString("utf8"));
    return typeof v === "object" && v !== null ? (v as Json) : null;
  } catch {
    return null;
  }
}
