// Outbound MQTT packets (server → client), 3.1.1 and 5.0. PUBLISH returns the header and the payload
// as separate buffers so the payload slice is written as is, never copied.

import type { OutboundBuffer } from "../../util/outbound-buffer.js";
import { PacketType, type Properties } from "./packets.js";
import { encodeProperties, encodeVarint } from "./properties.js";

function fixedHeader(first: number, remaining: number): Buffer {
  return Buffer.concat([Buffer.from([first]), encodeVarint(remaining)]);
}

function withProps(v5: boolean, props: Properties | undefined): Buffer {
  if (!v5) return Buffer.alloc(0);
  const body = props ? encodeProperties(props) : Buffer.alloc(0);
  return Buffer.concat([encodeVarint(body.length), body]);
}

export function encodeConnack(
  v5: boolean,
  sessionPresent: boolean,
  code: number,
  props?: Properties,
): Buffer {
  const propBytes = withProps(v5, props);
  const body = Buffer.concat([Buffer.from([sessionPresent ? 1 : 0, code]), propBytes]);
  return Buffer.concat([fixedHeader(PacketType.CONNACK << 4, body.length), body]);
}

export interface OutboundPublish {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId: number;
  properties?: Properties;
  payload: Buffer;
}

/** Returns [header + variable header, payload]. */
export function encodePublish(v5: boolean, p: OutboundPublish): [Buffer, Buffer] {
  const topicLen = Buffer.byteLength(p.topic, "utf8");
  const props = v5 ? withProps(true, p.properties) : null;
  const varLen = 2 + topicLen + (p.qos > 0 ? 2 : 0) + (props ? props.length : 0);
  const remaining = varLen + p.payload.length;
  const first = (PacketType.PUBLISH << 4) | (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  const lenBytes = encodeVarint(remaining);
  const head = Buffer.allocUnsafe(1 + lenBytes.length + varLen);
  head[0] = first;
  lenBytes.copy(head, 1);
  let pos = 1 + lenBytes.length;
  head.writeUInt16BE(topicLen, pos);
  pos += 2;
  pos += head.write(p.topic, pos, "utf8");
  if (p.qos > 0) {
    head.writeUInt16BE(p.packetId, pos);
    pos += 2;
  }
  if (props) props.copy(head, pos);
  return [head, p.payload];
}

/** Bytes of a PUBLISH on the wire given its remaining length (fixed header byte + varint + rest). */
export function publishWireSize(remaining: number): number {
  return 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining;
}

/** Remaining length of a PUBLISH; `props` is the encoded property block (with its length), MQTT 5 only. */
export function publishRemaining(
  topicLen: number,
  qos: number,
  props: Buffer | null,
  payloadLen: number,
): number {
  return 2 + topicLen + (qos > 0 ? 2 : 0) + (props === null ? 0 : props.length) + payloadLen;
}

/** The encoded property block of a PUBLISH for an MQTT 5 client. */
export function publishProperties(props: Properties | undefined): Buffer {
  return withProps(true, props);
}

/**
 * Writes a PUBLISH straight into a connection's outbound buffer: the header in place (no intermediate
 * Buffers), the payload copied when small or queued by reference when large. `topicLen` is the topic's
 * UTF-8 length and `remaining` comes from publishRemaining.
 */
export function writePublish(
  out: OutboundBuffer,
  p: Omit<OutboundPublish, "dup" | "properties">,
  dup: boolean,
  topicLen: number,
  props: Buffer | null,
  remaining: number,
): void {
  out.ensure(5 + 4 + topicLen + (props === null ? 0 : props.length));
  const buf = out.buf;
  let pos = out.pos;
  buf[pos++] = (PacketType.PUBLISH << 4) | (dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  let n = remaining;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n > 0) byte |= 0x80;
    buf[pos++] = byte;
  } while (n > 0);
  buf[pos++] = topicLen >> 8;
  buf[pos++] = topicLen & 0xff;
  pos += buf.utf8Write(p.topic, pos);
  if (p.qos > 0) {
    buf[pos++] = p.packetId >> 8;
    buf[pos++] = p.packetId & 0xff;
  }
  if (props !== null) {
    buf.set(props, pos);
    pos += props.length;
  }
  out.pos = pos;
  if (p.payload.length > 0) out.append(p.payload);
}

/** Size of the PUBLISH as encoded, for the client's maximum packet size. */
export function publishSize(v5: boolean, p: OutboundPublish): number {
  const [head, payload] = encodePublish(v5, p);
  return head.length + payload.length;
}

/** PUBACK / PUBREC / PUBREL / PUBCOMP. MQTT 5 omits a success reason code without properties (3.4.2.1). */
export function encodeAck(
  v5: boolean,
  type: 4 | 5 | 6 | 7,
  packetId: number,
  reason = 0,
  props?: Properties,
): Buffer {
  const first = (type << 4) | (type === PacketType.PUBREL ? 0x02 : 0);
  const idBytes = Buffer.from([packetId >> 8, packetId & 0xff]);
  const hasProps = props !== undefined && Object.keys(props).length > 0;
  if (!v5 || (reason === 0 && !hasProps)) return Buffer.concat([Buffer.from([first, 2]), idBytes]);
  const tail = hasProps ? withProps(true, props) : Buffer.alloc(0);
  const body = Buffer.concat([idBytes, Buffer.from([reason]), tail]);
  return Buffer.concat([fixedHeader(first, body.length), body]);
}

export function encodeSuback(v5: boolean, packetId: number, codes: number[], props?: Properties): Buffer {
  const body = Buffer.concat([
    Buffer.from([packetId >> 8, packetId & 0xff]),
    withProps(v5, props),
    Buffer.from(codes),
  ]);
  return Buffer.concat([fixedHeader(PacketType.SUBACK << 4, body.length), body]);
}

export function encodeUnsuback(v5: boolean, packetId: number, codes: number[]): Buffer {
  const idBytes = Buffer.from([packetId >> 8, packetId & 0xff]);
  const body = v5 ? Buffer.concat([idBytes, withProps(true, undefined), Buffer.from(codes)]) : idBytes;
  return Buffer.concat([fixedHeader(PacketType.UNSUBACK << 4, body.length), body]);
}

export const PINGRESP = Buffer.from([PacketType.PINGRESP << 4, 0]);

/** MQTT 5 DISCONNECT with a reason code (and an optional reason string). */
export function encodeDisconnect(reason: number, props?: Properties): Buffer {
  const hasProps = props !== undefined && Object.keys(props).length > 0;
  const body = hasProps
    ? Buffer.concat([Buffer.from([reason]), withProps(true, props)])
    : Buffer.from([reason]);
  return Buffer.concat([fixedHeader(PacketType.DISCONNECT << 4, body.length), body]);
}
