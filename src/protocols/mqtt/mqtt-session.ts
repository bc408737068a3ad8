// One MQTT session: the client's subscriptions (kept in the account's sublist while the session
// lives, connected or not), its outbound QoS 1/2 queue and in-flight window, and inbound QoS 2 state.
// It is the core's ClientHandle for MQTT, so NATS and MQTT messages reach it through deliver().

import type { Account } from "../../core/account.js";
import type { ClientHandle } from "../../core/client.js";
import { headerValue, parseHeaders } from "../../core/headers.js";
import { InternalClient } from "../../core/internal-client.js";
import { Subscription } from "../../core/subscription.js";
import type { Properties } from "./packets.js";
import type { StoredSession, StoredSubscription } from "./stores.js";
import { natsSubjectToMqttTopic } from "./topic-mapping.js";

/** The NATS header that marks a message published over MQTT, with its QoS (nats-server's Nmqtt-Pub). */
export const NMQTT_PUB = "Nmqtt-Pub";

/** The whole header block of most MQTT publishes (no correlation data or user properties), with QoS 0. */
const PUB_ONLY_HEADERS = Buffer.from(`NATS/1.0\r\n${NMQTT_PUB}: 0\r\n\r\n`, "latin1");
/** Where the QoS digit sits in PUB_ONLY_HEADERS. */
const PUB_ONLY_QOS_AT = PUB_ONLY_HEADERS.length - 5;

/**
 * `NATS/1.0\r\nNmqtt-Pub: <qos>\r\n\r\n`, as buildHeaders would make it but without building strings.
 * A fresh copy each time: the broker tells its own publishes apart by the identity of this Buffer.
 */
export function pubOnlyHeaders(qos: number): Buffer {
  const block = Buffer.from(PUB_ONLY_HEADERS);
  block[PUB_ONLY_QOS_AT] = 48 + qos;
  return block;
}

/** A message waiting for, or in, the QoS 1/2 flow to this client. */
export interface OutboundMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: Properties;
  /** Epoch ms after which it is dropped instead of sent (MQTT 5 message expiry), or 0. */
  expiresAt: number;
  packetId: number;
  /** Waiting for PUBACK / PUBREC (publish sent), or PUBCOMP (PUBREL sent). */
  state: "queued" | "publish" | "pubrel";
  /** Its number in the session's outbox log once written there (persistent sessions), else absent. */
  oseq?: number;
}

/** A change of a message's QoS flow that the outbox log records: in flight, PUBREL sent, finished. */
export type OutboundChange = "publish" | "pubrel" | "done";

/** What the session needs from its connection while one is attached. */
export interface SessionConnection {
  readonly v5: boolean;
  /** Messages the client takes in flight at once (its receive maximum, capped by max_ack_pending). */
  readonly sendQuota: number;
  sendPublish(msg: OutboundMessage, dup: boolean): void;
  sendPubrel(packetId: number): void;
}

/** What the session reads about the publish being routed right now, when it came from MQTT. */
export interface PublishContext {
  session: MqttSession | null;
  headers: Buffer;
  topic: string;
  retain: boolean;
  properties: Properties;
}

export class SessionSubscription extends Subscription {
  constructor(
    readonly session: MqttSession,
    subject: string,
    queue: string | null,
    sid: string,
    readonly spec: StoredSubscription,
  ) {
    super(session, subject, queue, sid);
  }

  /** MQTT-4.7.2-1: a filter starting with a wildcard does not match `$` topics. */
  get wildcardFirst(): boolean {
    const f = this.spec.filter;
    const c = f.startsWith("$share/") ? f.slice(f.indexOf("/", 7) + 1)[0] : f[0];
    return c === "+" || c === "#";
  }
}

export interface SessionHost {
  /** The MQTT publish currently being routed (set around route() by the publishing connection). */
  readonly publishing: PublishContext | null;
  readonly maxQueued: number;
  sessionChanged(session: MqttSession): void;
  /** A QoS 1/2 message entered the session's queue (connected or not), after it was pumped. */
  outboundQueued(session: MqttSession, msg: OutboundMessage): void;
  /** A queued QoS 1/2 message went in flight, got PUBREC, or is finished (acked, expired, dropped). */
  outboundChanged(session: MqttSession, msg: OutboundMessage, change: OutboundChange): void;
  /** An inbound QoS 2 packet id was recorded (PUBREC sent) or released (PUBREL). */
  inboundChanged(session: MqttSession, packetId: number, added: boolean): void;
  /** Nothing is queued or in flight any more. */
  drained(session: MqttSession): void;
}

export class MqttSession implements ClientHandle {
  readonly kind = "mqtt" as const;
  readonly echo = true;
  /** Subscriptions by filter as sent; one filter can own two NATS subscriptions (`a/#` → `a` and `a.>`). */
  readonly subscriptions = new Map<string, SessionSubscription[]>();
  readonly queue: OutboundMessage[] = [];
  readonly inflight = new Map<number, OutboundMessage>();
  /** Inbound QoS 2 packet ids received (PUBREC sent) and not yet released. */
  readonly inboundQos2 = new Set<number>();
  connection: SessionConnection | null = null;
  expiryInterval = 0;
  expiryTimer: NodeJS.Timeout | null = null;
  /** Epoch ms at which the session ends while no client is attached (stored, so restarts keep it), or 0. */
  expiresAt = 0;
  droppedMessages = 0;
  /** Records written to the session's outbox (JetStream) since it was last cleared. */
  outboxCount = 0;
  /** The last outbox log number given to a message of this session. */
  outboxSeq = 0;
  private nextPacketId = 1;
  private nextSid = 1;

  constructor(
    readonly cid: number,
    readonly clientId: string,
    readonly account: Account,
    private readonly host: SessionHost,
  ) {}

  /** Adds (or replaces) a subscription; returns the NATS subscriptions made. */
  subscribe(spec: StoredSubscription, subjects: string[], queue: string | null): SessionSubscription[] {
    this.unsubscribe(spec.filter);
    const subs: SessionSubscription[] = [];
    for (const subject of subjects) {
      const sub = new SessionSubscription(this, subject, queue, String(this.nextSid++), spec);
      if (!this.account.sublist.insert(sub)) {
        for (const s of subs) this.account.sublist.remove(s);
        throw new Error(`invalid subject ${subject}`);
      }
      subs.push(sub);
    }
    this.subscriptions.set(spec.filter, subs);
    return subs;
  }

  unsubscribe(filter: string): boolean {
    const subs = this.subscriptions.get(filter);
    if (subs === undefined) return false;
    for (const sub of subs) {
      sub.closed = true;
      this.account.sublist.remove(sub);
    }
    this.subscriptions.delete(filter);
    return true;
  }

  /** Ends the session: subscriptions leave the sublist and queued messages are dropped. */
  destroy(): void {
    for (const filter of [...this.subscriptions.keys()]) this.unsubscribe(filter);
    this.queue.length = 0;
    this.inflight.clear();
    this.inboundQos2.clear();
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  toStored(): StoredSession {
    const subscriptions: StoredSubscription[] = [];
    for (const subs of this.subscriptions.values()) if (subs.length > 0) subscriptions.push(subs[0].spec);
    const stored: StoredSession = {
      clientId: this.clientId,
      expiryInterval: this.expiryInterval,
      subscriptions,
    };
    if (this.expiresAt > 0) stored.expiresAt = this.expiresAt;
    return stored;
  }

  // ---- delivery from the core ----

  deliver(
    sub: Subscription,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): boolean {
    const s = sub as SessionSubscription;
    const ctx = this.host.publishing;
    const fromMqtt = ctx !== null && ctx.headers === headers;
    if (fromMqtt && s.spec.noLocal && ctx.session === this) return true;
    const topic = fromMqtt ? ctx.topic : natsSubjectToMqttTopic(subject);
    if (topic.charCodeAt(0) === 0x24 && s.wildcardFirst) return true;
    let pubQos = headers === null ? 0 : qosFromHeader(headers);
    // A NATS message that a stream stored is as durable as a QoS 1/2 publish: the subscription's QoS.
    if (!fromMqtt && pubQos === 0 && s.spec.qos > 0 && capturedByStream(this.account, subject))
      pubQos = s.spec.qos;
    const qos = Math.min(pubQos, s.spec.qos);
    const properties = fromMqtt ? { ...ctx.properties } : natsProperties(headers, reply);
    delete properties.topicAlias;
    if (s.spec.subscriptionId !== undefined) properties.subscriptionIdentifiers = [s.spec.subscriptionId];
    const expiry = properties.messageExpiryInterval;
    const msg: OutboundMessage = {
      topic,
      payload,
      qos,
      retain: fromMqtt && ctx.retain && s.spec.retainAsPublished,
      properties,
      expiresAt: expiry !== undefined ? Date.now() + expiry * 1000 : 0,
      packetId: 0,
      state: "queued",
    };
    this.enqueue(msg);
    return true;
  }

  /** Sends at once (QoS 0) or queues into the QoS 1/2 flow. QoS 0 to an absent client is dropped. */
  enqueue(msg: OutboundMessage): void {
    if (msg.qos === 0) {
      this.connection?.sendPublish(msg, false);
      return;
    }
    if (this.queue.length >= this.host.maxQueued) {
      // Bounded per session: the oldest waiting message gives way (counted, visible in logs).
      const dropped = this.queue.shift() as OutboundMessage;
      this.droppedMessages++;
      this.host.outboundChanged(this, dropped, "done");
    }
    this.queue.push(msg);
    this.pump();
    this.host.outboundQueued(this, msg);
  }

  /** An inbound QoS 2 PUBLISH was routed: its id suppresses re-sends until PUBREL [MQTT-4.3.3-2]. */
  inboundReceived(packetId: number): void {
    if (this.inboundQos2.has(packetId)) return;
    this.inboundQos2.add(packetId);
    this.host.inboundChanged(this, packetId, true);
  }

  inboundReleased(packetId: number): void {
    if (this.inboundQos2.delete(packetId)) this.host.inboundChanged(this, packetId, false);
  }

  /** Messages read back from the outbox at start: in flight ones keep their packet id (sent with DUP). */
  restoreOutbound(messages: readonly OutboundMessage[], inboundQos2: readonly number[]): void {
    for (const id of inboundQos2) this.inboundQos2.add(id);
    for (const msg of messages) {
      if (msg.oseq !== undefined && msg.oseq > this.outboxSeq) this.outboxSeq = msg.oseq;
      if (msg.state !== "queued" && msg.packetId > 0 && !this.inflight.has(msg.packetId))
        this.inflight.set(msg.packetId, msg);
      else this.queue.push({ ...msg, state: "queued", packetId: 0 });
    }
    this.outboxCount = messages.length;
  }

  /** Moves queued messages into flight while the client's window allows. */
  pump(): void {
    const conn = this.connection;
    if (conn === null) return;
    while (this.queue.length > 0 && this.inflight.size < conn.sendQuota) {
      const msg = this.queue.shift() as OutboundMessage;
      if (msg.expiresAt !== 0 && msg.expiresAt <= Date.now()) {
        this.host.outboundChanged(this, msg, "done");
        continue;
      }
      msg.packetId = this.allocatePacketId();
      msg.state = "publish";
      this.inflight.set(msg.packetId, msg);
      this.host.outboundChanged(this, msg, "publish");
      conn.sendPublish(msg, false);
    }
  }

  /** After a reconnect: in-flight messages go again, PUBLISH with DUP or PUBREL [MQTT-4.4.0-1]. */
  resume(): void {
    const conn = this.connection;
    if (conn === null) return;
    for (const msg of this.inflight.values()) {
      if (msg.state === "pubrel") conn.sendPubrel(msg.packetId);
      else conn.sendPublish(msg, true);
    }
    this.pump();
    if (this.inflight.size === 0 && this.queue.length === 0) this.host.drained(this);
  }

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2) ends a flow; returns false for an unknown id. */
  complete(packetId: number, expect: "publish" | "pubrel"): boolean {
    const msg = this.inflight.get(packetId);
    if (msg === undefined || msg.state !== expect) return false;
    this.inflight.delete(packetId);
    this.host.outboundChanged(this, msg, "done");
    this.pump();
    if (this.inflight.size === 0 && this.queue.length === 0) this.host.drained(this);
    return true;
  }

  /** PUBREC: the client has the message; we release it with PUBREL. */
  received(packetId: number, failed: boolean): boolean {
    const msg = this.inflight.get(packetId);
    if (msg === undefined || msg.qos !== 2) return false;
    if (failed) {
      this.inflight.delete(packetId);
      this.host.outboundChanged(this, msg, "done");
      this.pump();
      if (this.inflight.size === 0 && this.queue.length === 0) this.host.drained(this);
      return true;
    }
    if (msg.state !== "pubrel") {
      msg.state = "pubrel";
      this.host.outboundChanged(this, msg, "pubrel");
    }
    return true;
  }

  private allocatePacketId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
    throw new Error("no free packet identifier");
  }
}

/** Whether a JetStream stream subscribes the subject (its subscriptions are JetStream's internal client's). */
function capturedByStream(account: Account, subject: string): boolean {
  if (subject.startsWith("$JS.")) return false;
  for (const sub of account.sublist.match(subject).psubs) {
    const c = sub.client;
    if (c instanceof InternalClient && c.name === "JetStream") return true;
  }
  return false;
}

/** The QoS an MQTT publisher gave a message (its Nmqtt-Pub header), 0 for NATS messages. */
export function qosFromHeader(headers: Buffer): number {
  const n = PUB_ONLY_HEADERS.length;
  if (headers.length === n) {
    // The usual block from an MQTT publisher: compare bytes instead of parsing the header text.
    let i = 0;
    while (i < n && (i === PUB_ONLY_QOS_AT || headers[i] === PUB_ONLY_HEADERS[i])) i++;
    if (i === n) {
      const q = headers[PUB_ONLY_QOS_AT] - 48;
      return q >= 0 && q <= 2 ? q : 0;
    }
  }
  const v = headerValue(headers, NMQTT_PUB);
  if (v === null || v.length === 0) return 0;
  const q = v.charCodeAt(0) - 48;
  return q >= 0 && q <= 2 ? q : 0;
}

/** A NATS message seen by an MQTT 5 client: headers become user properties, the reply a response topic. */
function natsProperties(headers: Buffer | null, reply: string | null): Properties {
  const props: Properties = {};
  if (reply !== null) props.responseTopic = natsSubjectToMqttTopic(reply);
  if (headers !== null) {
    const entries = parseHeaders(headers).entries.filter(([k]) => !k.startsWith("Nmqtt-"));
    if (entries.length > 0) props.userProperties = entries;
  }
  return props;
}
