// The MQTT side of one server: live sessions by client id (take-over, expiry), retained messages,
// will messages (with MQTT 5 delay) and the one function through which MQTT messages enter the core.

import type { Account } from "../../core/account.js";
import { buildHeaders, parseHeaders } from "../../core/headers.js";
import { route } from "../../core/router.js";
import type { Logger } from "../../util/logger.js";
import {
  MqttSession,
  NMQTT_PUB,
  type OutboundChange,
  type OutboundMessage,
  type PublishContext,
  pubOnlyHeaders,
  qosFromHeader,
  type SessionHost,
} from "./mqtt-session.js";
import type { Properties, WillMessage } from "./packets.js";
import { NMQTT_CORR, ResponseCorrelation } from "./response-correlation.js";
import type { MqttStores, StoredSession } from "./stores.js";
import {
  levelUpSubject,
  mqttFilterToNatsSubject,
  mqttTopicToNatsSubject,
  parseSharedFilter,
} from "./topic-mapping.js";

/** Outbox log records of a drained session before they are purged (finished messages replay to nothing). */
const DRAINED_PURGE_AT = 256;

/** Session expiry that means "never" (MQTT 5 3.1.2.11.2; 3.1.1 persistent sessions). */
export const NEVER_EXPIRES = 0xffffffff;

export interface BrokerDeps {
  logger: Logger;
  /** The stores of an account (JetStream-backed when JetStream is on). */
  stores(account: Account): MqttStores;
  /** Queued QoS 1/2 messages kept per session (connected or not) before the oldest is dropped. */
  maxQueued: number;
  newCid(): number;
  lookupAccount(name: string): Account | null;
}

export interface OwnedConnection {
  /** Closes a connection whose client id was taken over (MQTT 5: DISCONNECT 0x8E first). */
  takenOver(): void;
}

interface PendingWill {
  timer: NodeJS.Timeout;
  account: Account;
  will: WillMessage;
}

export class MqttBroker implements SessionHost {
  readonly sessions = new Map<string, MqttSession>();
  /** The connection currently attached to each client id. */
  readonly owners = new Map<string, OwnedConnection>();
  publishing: PublishContext | null = null;
  private readonly pendingWills = new Map<string, PendingWill>();
  private readonly correlation: ResponseCorrelation;

  constructor(readonly deps: BrokerDeps) {
    this.correlation = new ResponseCorrelation(deps.newCid, (account, topic, data, headers, payload) =>
      this.publishReply(account, topic, data, headers, payload),
    );
  }

  /** A NATS reply to an MQTT 5 request: on the response topic, with the request's correlation data. */
  private publishReply(
    account: Account,
    topic: string,
    correlationData: Buffer,
    headers: Buffer | null,
    payload: Buffer,
  ): void {
    const properties: Properties = { correlationData };
    if (headers !== null) {
      const user = parseHeaders(headers).entries.filter(([k]) => !k.startsWith("Nmqtt-"));
      if (user.length > 0) properties.userProperties = user;
    }
    const qos = headers === null ? 0 : qosFromHeader(headers);
    try {
      this.publish(null, account, topic, qos, false, properties, payload);
    } catch (err) {
      this.deps.logger.debug(
        `MQTT reply on ${JSON.stringify(topic)} not published: ${(err as Error).message}`,
      );
    }
  }

  get maxQueued(): number {
    return this.deps.maxQueued;
  }

  /**
   * Re-creates stored sessions (offline, subscriptions active) so messages queue for them, with the
   * QoS 1/2 messages that were waiting for them (in flight ones keep their packet id, sent again with DUP).
   */
  restore(account: Account): void {
    const stores = this.deps.stores(account);
    for (const stored of stores.sessions.all()) {
      if (this.sessions.has(stored.clientId)) continue;
      const session = this.newSession(stored.clientId, account);
      this.applyStored(session, stored);
      // The remaining time of a session that was expiring; one that had a client attached (a crash) starts afresh.
      this.armExpiry(session, stored.expiresAt);
    }
    for (const [clientId, kept] of stores.outbox.all()) {
      const session = this.sessions.get(clientId);
      if (session === undefined || session.account !== account) {
        stores.outbox.clear(clientId);
        if (kept.inboundQos2.length > 0) stores.outbox.clearInbound(clientId);
        continue;
      }
      session.restoreOutbound(kept.messages, kept.inboundQos2);
    }
  }

  /**
   * A persistent session's QoS 1/2 message, connected or not, is written to the outbox log as it is
   * queued, so a crash (not only a clean shutdown) keeps it; its flow changes follow as batched records.
   */
  outboundQueued(session: MqttSession, msg: OutboundMessage): void {
    if (session.expiryInterval === 0) return;
    session.outboxCount++;
    // The log keeps finished messages until it is cleared (drained) or rewritten: bounded here.
    if (session.outboxCount > 2 * this.maxQueued + 64) {
      this.saveOutbox(session);
      return;
    }
    msg.oseq = ++session.outboxSeq;
    this.deps.stores(session.account).outbox.append(session.clientId, msg);
  }

  outboundChanged(session: MqttSession, msg: OutboundMessage, change: OutboundChange): void {
    if (session.expiryInterval === 0 || msg.oseq === undefined) return;
    session.outboxCount++;
    this.deps.stores(session.account).outbox.update(session.clientId, msg.oseq, change, msg.packetId);
  }

  /** Inbound QoS 2 ids of persistent sessions, written at once: a re-sent PUBLISH after a crash is not routed twice. */
  inboundChanged(session: MqttSession, packetId: number, added: boolean): void {
    if (session.expiryInterval === 0) return;
    const outbox = this.deps.stores(session.account).outbox;
    if (added) outbox.inbound(session.clientId, packetId, true);
    else if (session.inboundQos2.size === 0) outbox.clearInbound(session.clientId);
    else outbox.inbound(session.clientId, packetId, false);
  }

  /** Everything a session still has to deliver, written as its outbox afresh (compacts the log). */
  saveOutbox(session: MqttSession): void {
    const outbox = this.deps.stores(session.account).outbox;
    const pending = [...session.inflight.values(), ...session.queue];
    if (pending.length === 0 && session.outboxCount === 0) return;
    for (const m of pending) m.oseq = ++session.outboxSeq;
    outbox.replace(session.clientId, pending);
    session.outboxCount = pending.length;
  }

  /** A connected session delivered everything: what was kept for it is not needed any more. */
  drained(session: MqttSession): void {
    // A short log of finished messages replays to nothing: purged only once it is worth a purge request.
    if (session.outboxCount < DRAINED_PURGE_AT) return;
    session.outboxCount = 0;
    this.deps.stores(session.account).outbox.clear(session.clientId);
  }

  /**
   * Attaches a client id: takes over a connected owner, and returns the session to use and whether
   * it was present (CONNACK session present).
   */
  attach(
    clientId: string,
    account: Account,
    owner: OwnedConnection,
    cleanStart: boolean,
  ): { session: MqttSession; present: boolean } {
    const previous = this.owners.get(clientId);
    if (previous !== undefined && previous !== owner) previous.takenOver();
    this.owners.set(clientId, owner);
    this.cancelWill(clientId);
    let session = this.sessions.get(clientId) ?? null;
    if (session !== null && (cleanStart || session.account !== account)) {
      this.endSession(session);
      session = null;
    }
    if (session !== null) {
      if (session.expiryTimer !== null) clearTimeout(session.expiryTimer);
      session.expiryTimer = null;
      // Stored without the deadline by the sessionChanged() that follows CONNECT.
      session.expiresAt = 0;
      return { session, present: true };
    }
    return { session: this.newSession(clientId, account), present: false };
  }

  /** The owner went away: the session stays (persistent) or ends. */
  detach(clientId: string, owner: OwnedConnection, session: MqttSession): void {
    if (this.owners.get(clientId) === owner) this.owners.delete(clientId);
    if (this.sessions.get(clientId) !== session) return;
    session.connection = null;
    if (session.expiryInterval === 0) this.endSession(session);
    else {
      // Already written message by message; rewritten only when the log holds much more than is pending.
      const pending = session.inflight.size + session.queue.length;
      if (session.outboxCount > 2 * pending + 64 || hasUnwritten(session)) this.saveOutbox(session);
      this.armExpiry(session);
    }
  }

  sessionChanged(session: MqttSession): void {
    if (session.expiryInterval > 0 && this.sessions.get(session.clientId) === session)
      this.deps.stores(session.account).sessions.save(session.toStored());
  }

  private newSession(clientId: string, account: Account): MqttSession {
    const session = new MqttSession(this.deps.newCid(), clientId, account, this);
    this.sessions.set(clientId, session);
    return session;
  }

  private applyStored(session: MqttSession, stored: StoredSession): void {
    session.expiryInterval = stored.expiryInterval;
    for (const spec of stored.subscriptions) {
      try {
        const { subjects, queue } = natsSubscriptionFor(spec.filter);
        session.subscribe(spec, subjects, queue);
      } catch (err) {
        this.deps.logger.warn(
          { clientId: session.clientId },
          `MQTT stored subscription dropped: ${(err as Error).message}`,
        );
      }
    }
  }

  /** Starts the expiry countdown (or resumes it at a stored deadline); the deadline is stored with the session. */
  private armExpiry(session: MqttSession, deadline?: number): void {
    if (session.expiryInterval === NEVER_EXPIRES) return;
    const now = Date.now();
    session.expiresAt = deadline ?? now + session.expiryInterval * 1000;
    if (session.expiresAt <= now) {
      this.endSession(session);
      return;
    }
    if (deadline === undefined) this.sessionChanged(session);
    this.scheduleExpiry(session);
  }

  private scheduleExpiry(session: MqttSession): void {
    // Timers cap at ~24.8 days; longer expiries re-arm when they fire.
    const ms = Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1);
    session.expiryTimer = setTimeout(
      () => {
        session.expiryTimer = null;
        if (Date.now() < session.expiresAt) this.scheduleExpiry(session);
        else this.endSession(session);
      },
      Math.max(ms, 0),
    );
    session.expiryTimer.unref();
  }

  endSession(session: MqttSession): void {
    if (this.sessions.get(session.clientId) === session) {
      this.sessions.delete(session.clientId);
      const stores = this.deps.stores(session.account);
      stores.sessions.remove(session.clientId);
      if (session.outboxCount > 0) stores.outbox.clear(session.clientId);
      if (session.inboundQos2.size > 0) stores.outbox.clearInbound(session.clientId);
      session.outboxCount = 0;
    }
    session.destroy();
    // MQTT 5 3.1.3.2.2: a delayed will goes out when the session ends first.
    const pending = this.pendingWills.get(session.clientId);
    if (pending !== undefined) {
      this.cancelWill(session.clientId);
      this.publishWill(pending.account, pending.will);
    }
  }

  /** Publishes a will now, or after its delay (MQTT 5 will delay, bounded by session expiry). */
  scheduleWill(clientId: string, account: Account, will: WillMessage, sessionExpiry: number): void {
    const delay = Math.min(will.properties.willDelayInterval ?? 0, sessionExpiry);
    if (delay === 0) {
      this.publishWill(account, will);
      return;
    }
    this.cancelWill(clientId);
    const timer = setTimeout(() => {
      this.pendingWills.delete(clientId);
      this.publishWill(account, will);
    }, delay * 1000);
    timer.unref();
    this.pendingWills.set(clientId, { timer, account, will });
  }

  private cancelWill(clientId: string): void {
    const pending = this.pendingWills.get(clientId);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.pendingWills.delete(clientId);
  }

  private publishWill(account: Account, will: WillMessage): void {
    try {
      this.publish(null, account, will.topic, will.qos, will.retain, will.properties, will.payload);
    } catch (err) {
      this.deps.logger.debug(
        `MQTT will on ${JSON.stringify(will.topic)} not published: ${(err as Error).message}`,
      );
    }
  }

  /**
   * The one way MQTT messages enter the core: retained store, then route with an Nmqtt-Pub header
   * (user properties as NATS headers, response topic as the reply subject). Returns deliveries.
   * Throws TopicError for a topic NATS cannot carry.
   */
  publish(
    session: MqttSession | null,
    account: Account,
    topic: string,
    qos: number,
    retain: boolean,
    properties: Properties,
    payload: Buffer,
  ): number {
    const subject = mqttTopicToNatsSubject(topic);
    // `$MQTT.` holds the MQTT records in JetStream (sessions, retained, outbox): not writable over MQTT.
    if (subject.startsWith("$MQTT.")) return 0;
    const responseTopic = properties.responseTopic;
    let reply = responseTopic !== undefined ? mqttTopicToNatsSubject(responseTopic) : null;
    const corr = properties.correlationData;
    // With correlation data the reply needs its own subject to find its way back with the data.
    if (responseTopic !== undefined && corr !== undefined)
      reply = this.correlation.register(account, responseTopic, corr);
    const headers = natsHeaders(qos, properties);
    if (retain) {
      const expiry = properties.messageExpiryInterval;
      this.deps.stores(account).retained.set({
        topic,
        payload,
        qos,
        properties: withoutAlias(properties),
        expiresAt: expiry !== undefined ? Date.now() + expiry * 1000 : 0,
      });
    }
    const outer = this.publishing;
    this.publishing = { session, headers, topic, retain, properties };
    try {
      return route(account, session, subject, reply, headers, payload);
    } finally {
      this.publishing = outer;
    }
  }

  /**
   * Closes every session timer (server shutdown); stored sessions stay in the store, and connected
   * persistent sessions keep what they had not delivered yet.
   */
  close(): void {
    for (const pending of this.pendingWills.values()) clearTimeout(pending.timer);
    this.pendingWills.clear();
    for (const session of this.sessions.values()) session.destroy();
    for (const account of new Set([...this.sessions.values()].map((s) => s.account)))
      this.deps.stores(account).outbox.flush();
    this.sessions.clear();
    this.owners.clear();
    this.correlation.close();
  }
}

/** NATS subscription(s) for an MQTT filter: `a/#` also subscribes `a`; `$share/g/f` is queue group g. */
export function natsSubscriptionFor(filter: string): { subjects: string[]; queue: string | null } {
  const shared = parseSharedFilter(filter);
  const subject = mqttFilterToNatsSubject(shared === null ? filter : shared.filter);
  const up = levelUpSubject(subject);
  return { subjects: up === null ? [subject] : [subject, up], queue: shared === null ? null : shared.group };
}

/** Messages queued while the session was not persistent (its expiry changed at a reconnect). */
function hasUnwritten(session: MqttSession): boolean {
  for (const m of session.inflight.values()) if (m.oseq === undefined) return true;
  for (const m of session.queue) if (m.oseq === undefined) return true;
  return false;
}

function withoutAlias(p: Properties): Properties {
  if (p.topicAlias === undefined) return p;
  const { topicAlias: _alias, ...rest } = p;
  return rest;
}

/** `Nmqtt-Pub: <qos>` plus MQTT 5 user properties whose names can be NATS header names. */
function natsHeaders(qos: number, properties: Properties): Buffer {
  if (properties.correlationData === undefined && properties.userProperties === undefined)
    return pubOnlyHeaders(qos);
  const entries: [string, string][] = [[NMQTT_PUB, String(qos)]];
  if (properties.correlationData !== undefined)
    entries.push([NMQTT_CORR, properties.correlationData.toString("base64")]);
  const user = properties.userProperties;
  if (user !== undefined) {
    for (const [k, v] of user) if (k.length > 0 && isHeaderName(k)) entries.push([k, v]);
  }
  return buildHeaders(entries);
}

/** A header name must not hold `:`, spaces or control characters; strings from the wire have no CR/LF. */
function isHeaderName(k: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c <= 0x20 || c === 0x3a || c === 0x7f) return false;
  }
  return true;
}
