// The bytes of MQTT records kept in JetStream streams: a session record (JSON), and messages
// (retained or queued for a session) as a length-prefixed JSON header followed by the raw payload.

import { createHash } from "node:crypto";
import type { OutboundChange, OutboundMessage } from "./mqtt-session.js";
import type { Properties } from "./packets.js";
import type { RetainedMessage, StoredSession, StoredSubscription } from "./stores.js";

/** A subject token for a client id (any UTF-8, dots and spaces included): 128 bits of its SHA-256. */
export function clientIdHash(clientId: string): string {
  return createHash("sha256").update(clientId, "utf8").digest("base64url").slice(0, 22);
}

export function encodeSession(s: StoredSession): Buffer {
  return Buffer.from(JSON.stringify(s), "utf8");
}

/** A session record read back; null when it is not one (a foreign or damaged message). */
export function decodeSession(buf: Buffer): StoredSession | null {
  const v = parse(buf.toString("utf8"));
  if (v === null || typeof v.clientId !== "string" || typeof v.expiryInterval !== "number") return null;
  if (!Array.isArray(v.subscriptions)) return null;
  const subscriptions = (v.subscriptions as unknown[]).filter(isSubscription);
  const s: StoredSession = { clientId: v.clientId, expiryInterval: v.expiryInterval, subscriptions };
  if (typeof v.expiresAt === "number" && v.expiresAt > 0) s.expiresAt = v.expiresAt;
  return s;
}

function isSubscription(v: unknown): v is StoredSubscription {
  const o = v as Record<string, unknown> | null;
  return typeof o === "object" && o !== null && typeof o.filter === "string" && typeof o.qos === "number";
}

/** A message record: u32 length of the JSON header, the header, the payload. */
function encodeMessage(meta: Record<string, unknown>, payload: Buffer): Buffer {
  const head = Buffer.from(JSON.stringify(meta), "utf8");
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(head.length, 0);
  return Buffer.concat([len, head, payload]);
}

function decodeMessage(buf: Buffer): { meta: Record<string, unknown>; payload: Buffer } | null {
  if (buf.length < 4) return null;
  const n = buf.readUInt32BE(0);
  if (4 + n > buf.length) return null;
  const meta = parse(buf.toString("utf8", 4, 4 + n));
  return meta === null ? null : { meta, payload: Buffer.from(buf.subarray(4 + n)) };
}

export function encodeRetained(m: RetainedMessage): Buffer {
  return encodeMessage(
    { topic: m.topic, qos: m.qos, expiresAt: m.expiresAt, properties: propertiesToJson(m.properties) },
    m.payload,
  );
}

export function decodeRetained(buf: Buffer): RetainedMessage | null {
  const d = decodeMessage(buf);
  if (d === null || typeof d.meta.topic !== "string") return null;
  return {
    topic: d.meta.topic,
    qos: Number(d.meta.qos) || 0,
    expiresAt: Number(d.meta.expiresAt) || 0,
    properties: propertiesFromJson(d.meta.properties),
    payload: d.payload,
  };
}

export function encodeOutbound(clientId: string, m: OutboundMessage): Buffer {
  return encodeMessage(
    {
      clientId,
      topic: m.topic,
      qos: m.qos,
      retain: m.retain,
      expiresAt: m.expiresAt,
      packetId: m.packetId,
      state: m.state,
      oseq: m.oseq,
      properties: propertiesToJson(m.properties),
    },
    m.payload,
  );
}

export function decodeOutbound(buf: Buffer): { clientId: string; message: OutboundMessage } | null {
  const d = decodeMessage(buf);
  if (d === null) return null;
  const { meta } = d;
  if (typeof meta.clientId !== "string" || typeof meta.topic !== "string") return null;
  const state = meta.state === "publish" || meta.state === "pubrel" ? meta.state : "queued";
  return {
    clientId: meta.clientId,
    message: {
      topic: meta.topic,
      payload: d.payload,
      qos: meta.qos === 2 ? 2 : 1,
      retain: meta.retain === true,
      properties: propertiesFromJson(meta.properties),
      expiresAt: Number(meta.expiresAt) || 0,
      packetId: Number(meta.packetId) || 0,
      state,
      ...(typeof meta.oseq === "number" ? { oseq: meta.oseq } : {}),
    },
  };
}

/** One outbox flow change: [oseq, change, packetId]. */
export type OutboxUpdate = [number, OutboundChange, number];

/** A batch of flow changes of one client's outbox messages (no payload). */
export function encodeOutboxUpdates(clientId: string, updates: readonly OutboxUpdate[]): Buffer {
  return encodeMessage({ clientId, updates }, Buffer.alloc(0));
}

/** An inbound QoS 2 id recorded (`added`) or released. */
export function encodeInboundQos2(clientId: string, packetId: number, added: boolean): Buffer {
  return encodeMessage({ clientId, inbound: packetId, added }, Buffer.alloc(0));
}

export type OutboxRecord =
  | { kind: "message"; clientId: string; message: OutboundMessage }
  | { kind: "updates"; clientId: string; updates: OutboxUpdate[] }
  | { kind: "inbound"; clientId: string; packetId: number; added: boolean };

/** Any record of the outbox stream; null when it is not one. */
export function decodeOutboxRecord(buf: Buffer): OutboxRecord | null {
  const d = decodeMessage(buf);
  if (d === null || typeof d.meta.clientId !== "string") return null;
  const { meta } = d;
  const clientId = meta.clientId as string;
  if (Array.isArray(meta.updates)) {
    const updates = (meta.updates as unknown[]).filter(isUpdate);
    return { kind: "updates", clientId, updates };
  }
  if (typeof meta.inbound === "number")
    return { kind: "inbound", clientId, packetId: meta.inbound, added: meta.added === true };
  const m = decodeOutbound(buf);
  return m === null ? null : { kind: "message", ...m };
}

function isUpdate(v: unknown): v is OutboxUpdate {
  return (
    Array.isArray(v) &&
    typeof v[0] === "number" &&
    (v[1] === "publish" || v[1] === "pubrel" || v[1] === "done") &&
    typeof v[2] === "number"
  );
}

/** Properties as JSON: the two binary ones as base64. */
function propertiesToJson(p: Properties): Record<string, unknown> {
  const out: Record<string, unknown> = { ...p };
  if (p.correlationData !== undefined) out.correlationData = p.correlationData.toString("base64");
  if (p.authenticationData !== undefined) out.authenticationData = p.authenticationData.toString("base64");
  return out;
}

function propertiesFromJson(v: unknown): Properties {
  if (typeof v !== "object" || v === null) return {};
  const o = { ...(v as Record<string, unknown>) };
  if (typeof o.correlationData === "string") o.correlationData = Buffer.from(o.correlationData, "base64");
  if (typeof o.authenticationData === "string")
    o.authenticationData = Buffer.from(o.authenticationData, "base64");
  return o as Properties;
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
