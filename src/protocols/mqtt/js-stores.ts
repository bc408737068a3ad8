// MQTT stores kept in JetStream streams of the account, as nats-server lays them out: `$MQTT_sess`
// (one record per client id on `$MQTT.sess.<hash>`), `$MQTT_rmsgs` (the last retained message per
// subject on `$MQTT.rmsgs.<subject>`), plus `$MQTT_out` (QoS 1/2 messages kept for offline persistent
// sessions on `$MQTT.out.<hash>`: one stream per account, never a consumer per subscription).
// Reads happen once at start; the in-memory copies answer lookups, writes go through to JetStream.

import type { MqttJsApi } from "./mqtt-js-api.js";
import type { OutboundChange, OutboundMessage } from "./mqtt-session.js";
import {
  clientIdHash,
  decodeOutboxRecord,
  decodeRetained,
  decodeSession,
  encodeInboundQos2,
  encodeOutbound,
  encodeOutboxUpdates,
  encodeRetained,
  encodeSession,
  type OutboxRecord,
  type OutboxUpdate,
} from "./store-records.js";
import {
  type KeptOutbox,
  MemoryRetainedStore,
  MemorySessionStore,
  type MqttStores,
  type OutboxStore,
  type RetainedMessage,
  type RetainedStore,
  type SessionStore,
  type StoredSession,
} from "./stores.js";
import { mqttTopicToNatsSubject } from "./topic-mapping.js";

export const SESSION_STREAM = "$MQTT_sess";
export const RETAINED_STREAM = "$MQTT_rmsgs";
export const OUTBOX_STREAM = "$MQTT_out";
const SESSION_PREFIX = "$MQTT.sess.";
const RETAINED_PREFIX = "$MQTT.rmsgs.";
const OUTBOX_PREFIX = "$MQTT.out.";

function streamConfig(name: string, prefix: string, perSubject: number): Record<string, unknown> {
  return {
    name,
    subjects: [`${prefix}>`],
    retention: "limits",
    storage: "file",
    num_replicas: 1,
    max_msgs_per_subject: perSubject,
  };
}

/**
 * Opens (creating when missing) the three streams and loads what they hold. Returns an error text
 * when JetStream cannot hold them (not enabled for the account, overlapping subjects).
 */
export function openJetStreamStores(api: MqttJsApi, maxRetained: number): MqttStores | string {
  for (const cfg of [
    streamConfig(SESSION_STREAM, SESSION_PREFIX, 1),
    streamConfig(RETAINED_STREAM, RETAINED_PREFIX, 1),
    streamConfig(OUTBOX_STREAM, OUTBOX_PREFIX, -1),
  ]) {
    const err = api.ensureStream(cfg);
    if (err !== null) return `stream ${String(cfg.name)}: ${err}`;
  }
  return {
    sessions: new JsSessionStore(api),
    retained: new JsRetainedStore(api, maxRetained),
    outbox: new JsOutboxStore(api),
    persistent: true,
  };
}

class JsSessionStore implements SessionStore {
  private readonly memory = new MemorySessionStore();
  /** The last record written per client id, so unchanged sessions are not written again. */
  private readonly written = new Map<string, string>();

  constructor(private readonly api: MqttJsApi) {
    for (const m of api.messages(SESSION_STREAM, `${SESSION_PREFIX}>`)) {
      const s = decodeSession(m.payload);
      if (s === null || m.subject !== SESSION_PREFIX + clientIdHash(s.clientId)) continue;
      this.memory.save(s);
      this.written.set(s.clientId, m.payload.toString("utf8"));
    }
  }

  load(clientId: string): StoredSession | null {
    return this.memory.load(clientId);
  }

  save(session: StoredSession): void {
    const record = encodeSession(session);
    const text = record.toString("utf8");
    this.memory.save(session);
    if (this.written.get(session.clientId) === text) return;
    this.written.set(session.clientId, text);
    this.api.publish(SESSION_PREFIX + clientIdHash(session.clientId), record);
  }

  remove(clientId: string): void {
    this.memory.remove(clientId);
    if (!this.written.delete(clientId)) return;
    this.api.purgeSubject(SESSION_STREAM, SESSION_PREFIX + clientIdHash(clientId));
  }

  all(): StoredSession[] {
    return this.memory.all();
  }
}

class JsRetainedStore implements RetainedStore {
  private readonly memory: MemoryRetainedStore;

  constructor(
    private readonly api: MqttJsApi,
    maxMessages: number,
  ) {
    this.memory = new MemoryRetainedStore(maxMessages);
    const now = Date.now();
    for (const m of api.messages(RETAINED_STREAM, `${RETAINED_PREFIX}>`)) {
      const r = decodeRetained(m.payload);
      if (r === null || (r.expiresAt !== 0 && r.expiresAt <= now)) continue;
      this.memory.set(r);
    }
  }

  get size(): number {
    return this.memory.size;
  }

  set(message: RetainedMessage): void {
    const subject = RETAINED_PREFIX + mqttTopicToNatsSubject(message.topic);
    const before = this.memory.size;
    const had = this.memory.has(message.topic);
    this.memory.set(message);
    if (message.payload.length === 0) {
      if (had) this.api.purgeSubject(RETAINED_STREAM, subject);
      return;
    }
    // Over the cap the memory store refused a new topic: keep JetStream the same.
    if (!had && this.memory.size === before) return;
    this.api.publish(subject, encodeRetained(message));
  }

  match(natsFilter: string): RetainedMessage[] {
    return this.memory.match(natsFilter);
  }
}

/**
 * The outbox as a log per client on `$MQTT.out.<hash>`: a record per queued message (with its log
 * number `oseq`), then batched flow-change records; cleared (purged) when the session has delivered
 * everything, rewritten when the log grows. Inbound QoS 2 ids go on `$MQTT.out.<hash>.in`.
 */
class JsOutboxStore implements OutboxStore {
  private readonly pending = new Map<string, OutboxUpdate[]>();
  private flushTimer: NodeJS.Immediate | null = null;

  constructor(private readonly api: MqttJsApi) {}

  replace(clientId: string, messages: readonly OutboundMessage[]): void {
    this.clear(clientId);
    for (const m of messages) this.append(clientId, m);
  }

  append(clientId: string, message: OutboundMessage): void {
    this.api.publish(OUTBOX_PREFIX + clientIdHash(clientId), encodeOutbound(clientId, message));
  }

  update(clientId: string, oseq: number, change: OutboundChange, packetId: number): void {
    const list = this.pending.get(clientId);
    if (list === undefined) this.pending.set(clientId, [[oseq, change, packetId]]);
    else list.push([oseq, change, packetId]);
    if (this.flushTimer === null) this.flushTimer = setImmediate(() => this.flush());
  }

  clear(clientId: string): void {
    this.pending.delete(clientId);
    this.api.purgeSubject(OUTBOX_STREAM, OUTBOX_PREFIX + clientIdHash(clientId));
  }

  inbound(clientId: string, packetId: number, added: boolean): void {
    this.api.publish(
      `${OUTBOX_PREFIX}${clientIdHash(clientId)}.in`,
      encodeInboundQos2(clientId, packetId, added),
    );
  }

  clearInbound(clientId: string): void {
    this.api.purgeSubject(OUTBOX_STREAM, `${OUTBOX_PREFIX}${clientIdHash(clientId)}.in`);
  }

  flush(): void {
    if (this.flushTimer !== null) clearImmediate(this.flushTimer);
    this.flushTimer = null;
    for (const [clientId, updates] of this.pending)
      this.api.publish(OUTBOX_PREFIX + clientIdHash(clientId), encodeOutboxUpdates(clientId, updates));
    this.pending.clear();
  }

  all(): Map<string, KeptOutbox> {
    const records: OutboxRecord[] = [];
    for (const m of this.api.messages(OUTBOX_STREAM, `${OUTBOX_PREFIX}>`)) {
      const r = decodeOutboxRecord(m.payload);
      if (r === null) continue;
      const base = OUTBOX_PREFIX + clientIdHash(r.clientId);
      if (m.subject === (r.kind === "inbound" ? `${base}.in` : base)) records.push(r);
    }
    return replayOutbox(records);
  }
}

/** Replays outbox records in stream order: messages minus finished ones, with their last flow state. */
export function replayOutbox(records: Iterable<OutboxRecord>): Map<string, KeptOutbox> {
  const logs = new Map<string, { messages: Map<number, OutboundMessage>; inbound: Set<number> }>();
  let legacy = -1_000_000_000;
  for (const r of records) {
    let log = logs.get(r.clientId);
    if (log === undefined) {
      log = { messages: new Map(), inbound: new Set() };
      logs.set(r.clientId, log);
    }
    if (r.kind === "message") {
      // Records written before log numbers existed keep their order ahead of numbered ones.
      const oseq = r.message.oseq ?? legacy++;
      log.messages.set(oseq, { ...r.message, oseq });
    } else if (r.kind === "inbound") {
      if (r.added) log.inbound.add(r.packetId);
      else log.inbound.delete(r.packetId);
    } else {
      for (const [oseq, change, packetId] of r.updates) applyUpdate(log.messages, oseq, change, packetId);
    }
  }
  const out = new Map<string, KeptOutbox>();
  for (const [clientId, log] of logs) {
    const messages = [...log.messages.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    if (messages.length > 0 || log.inbound.size > 0)
      out.set(clientId, { messages, inboundQos2: [...log.inbound] });
  }
  return out;
}

function applyUpdate(
  messages: Map<number, OutboundMessage>,
  oseq: number,
  change: OutboundChange,
  packetId: number,
): void {
  const m = messages.get(oseq);
  if (m === undefined) return;
  if (change === "done") messages.delete(oseq);
  else {
    m.state = change;
    m.packetId = packetId;
  }
}
