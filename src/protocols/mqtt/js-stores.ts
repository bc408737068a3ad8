// MQTT stores kept in JetStream streams of the account, as nats-server lays them out: `$MQTT_sess`
// (one record per client id on `$MQTT.sess.<hash>`), `$MQTT_rmsgs` (the last retained message per
// subject on `$MQTT.rmsgs.<subject>`), plus `$MQTT_out` (QoS 1/2 messages kept for offline persistent
// sessions on `$MQTT.out.<hash>`: one stream per account, never a consumer per subscription).
// Reads happen once at start; the in-memory copies answer lookups, writes go through to JetStream.

import type { MqttJsApi } from "./mqtt-js-api.js";
import type { OutboundMessage } from "./mqtt-session.js";
import {
  clientIdHash,
  decodeOutbound,
  decodeRetained,
  decodeSession,
  encodeOutbound,
  encodeRetained,
  encodeSession,
} from "./store-records.js";
import {
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

class JsOutboxStore implements OutboxStore {
  constructor(private readonly api: MqttJsApi) {}

  replace(clientId: string, messages: readonly OutboundMessage[]): void {
    this.clear(clientId);
    for (const m of messages) this.append(clientId, m);
  }

  append(clientId: string, message: OutboundMessage): void {
    this.api.publish(OUTBOX_PREFIX + clientIdHash(clientId), encodeOutbound(clientId, message));
  }

  clear(clientId: string): void {
    this.api.purgeSubject(OUTBOX_STREAM, OUTBOX_PREFIX + clientIdHash(clientId));
  }

  all(): Map<string, OutboundMessage[]> {
    const out = new Map<string, OutboundMessage[]>();
    for (const m of this.api.messages(OUTBOX_STREAM, `${OUTBOX_PREFIX}>`)) {
      const d = decodeOutbound(m.payload);
      if (d === null || m.subject !== OUTBOX_PREFIX + clientIdHash(d.clientId)) continue;
      const list = out.get(d.clientId);
      if (list === undefined) out.set(d.clientId, [d.message]);
      else list.push(d.message);
    }
    return out;
  }
}
