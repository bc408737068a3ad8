// Where MQTT state that must outlive a connection is kept, per account: session records (subscriptions),
// retained messages and the QoS 1/2 messages waiting for persistent sessions. The broker sees only these
// interfaces; in-memory implementations here, JetStream-backed ones in js-stores.ts.

import { subjectMatchesFilter } from "../../core/subject.js";
import type { OutboundChange, OutboundMessage } from "./mqtt-session.js";
import type { Properties } from "./packets.js";
import { mqttTopicToNatsSubject } from "./topic-mapping.js";

export interface StoredSubscription {
  /** The filter as the client sent it (with `$share/<group>/` when shared). */
  filter: string;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscriptionId?: number;
}

export interface StoredSession {
  clientId: string;
  /** Seconds the session lives after a disconnect; 0xFFFFFFFF = forever (3.1.1 persistent sessions). */
  expiryInterval: number;
  /** Epoch ms at which the session expires, while no client is attached (absent: counting not started). */
  expiresAt?: number;
  subscriptions: StoredSubscription[];
}

export interface SessionStore {
  load(clientId: string): StoredSession | null;
  save(session: StoredSession): void;
  remove(clientId: string): void;
  /** Every stored session, to restore them (and their subscriptions) at start. */
  all(): StoredSession[];
}

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  properties: Properties;
  /** Epoch ms after which it is gone (MQTT 5 message expiry), or 0. */
  expiresAt: number;
}

export interface RetainedStore {
  /** Stores, or clears when the payload is empty [MQTT-3.3.1-10]. */
  set(message: RetainedMessage): void;
  /** Retained messages whose topic matches the NATS form of a filter. */
  match(natsFilter: string): RetainedMessage[];
  readonly size: number;
}

/** What the outbox log holds for one client, replayed. */
export interface KeptOutbox {
  /** Messages not finished yet, in log order (in flight ones with their packet id and state). */
  messages: OutboundMessage[];
  /** Inbound QoS 2 packet ids received and not yet released. */
  inboundQos2: number[];
}

/**
 * QoS 1/2 messages kept for persistent sessions (written as they are queued, their flow changes after
 * them), and inbound QoS 2 ids awaiting PUBREL, so they survive a restart or a crash. Keyed by client id.
 */
export interface OutboxStore {
  /** Replaces what is kept for a client with these messages, in order. */
  replace(clientId: string, messages: readonly OutboundMessage[]): void;
  append(clientId: string, message: OutboundMessage): void;
  /** A message's flow changed (batched: written once per client per event-loop turn). */
  update(clientId: string, oseq: number, change: OutboundChange, packetId: number): void;
  clear(clientId: string): void;
  /** An inbound QoS 2 id recorded or released (written at once, before PUBREC / PUBCOMP go out). */
  inbound(clientId: string, packetId: number, added: boolean): void;
  clearInbound(clientId: string): void;
  /** Writes batched updates now (shutdown). */
  flush(): void;
  /** Everything kept, by client id (read once at start). */
  all(): Map<string, KeptOutbox>;
}

/** The stores of one account. */
export interface MqttStores {
  readonly sessions: SessionStore;
  readonly retained: RetainedStore;
  readonly outbox: OutboxStore;
  /** True when the state survives a restart. */
  readonly persistent: boolean;
}

/** In memory the session objects themselves hold their queues: nothing more to keep. */
export class NoOutbox implements OutboxStore {
  replace(): void {}
  append(): void {}
  update(): void {}
  clear(): void {}
  inbound(): void {}
  clearInbound(): void {}
  flush(): void {}
  all(): Map<string, KeptOutbox> {
    return new Map();
  }
}

export function memoryStores(): MqttStores {
  return {
    sessions: new MemorySessionStore(),
    retained: new MemoryRetainedStore(),
    outbox: new NoOutbox(),
    persistent: false,
  };
}

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, StoredSession>();

  load(clientId: string): StoredSession | null {
    return this.sessions.get(clientId) ?? null;
  }

  save(session: StoredSession): void {
    this.sessions.set(session.clientId, structuredClone(session));
  }

  remove(clientId: string): void {
    this.sessions.delete(clientId);
  }

  all(): StoredSession[] {
    return [...this.sessions.values()];
  }
}

/** Retained messages by NATS subject; a wildcard lookup scans them (bounded by `maxMessages`). */
export class MemoryRetainedStore implements RetainedStore {
  private readonly bySubject = new Map<string, RetainedMessage>();

  constructor(private readonly maxMessages = 100_000) {}

  get size(): number {
    return this.bySubject.size;
  }

  has(topic: string): boolean {
    return this.bySubject.has(mqttTopicToNatsSubject(topic));
  }

  set(message: RetainedMessage): void {
    const subject = mqttTopicToNatsSubject(message.topic);
    if (message.payload.length === 0) {
      this.bySubject.delete(subject);
      return;
    }
    if (!this.bySubject.has(subject) && this.bySubject.size >= this.maxMessages) return;
    this.bySubject.set(subject, { ...message, payload: Buffer.from(message.payload) });
  }

  match(natsFilter: string): RetainedMessage[] {
    const now = Date.now();
    const out: RetainedMessage[] = [];
    const literal = !natsFilter.includes("*") && !natsFilter.includes(">");
    if (literal) {
      const m = this.bySubject.get(natsFilter);
      if (m !== undefined && (m.expiresAt === 0 || m.expiresAt > now)) out.push(m);
      return out;
    }
    for (const [subject, m] of this.bySubject) {
      if (m.expiresAt !== 0 && m.expiresAt <= now) {
        this.bySubject.delete(subject);
        continue;
      }
      if (subjectMatchesFilter(subject, natsFilter)) out.push(m);
    }
    return out;
  }
}
