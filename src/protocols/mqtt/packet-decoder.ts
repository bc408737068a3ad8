// Inbound MQTT packets: a framer that cuts the byte stream into packets (with a hard size bound, so a
// huge remaining length cannot make us buffer without limit) and a strict decoder per packet type.

import {
  type AckPacket,
  type ConnectPacket,
  type InboundPacket,
  MqttProtocolError,
  PacketType,
  type Properties,
  type PublishPacket,
  ReasonCode,
  type SimplePacket,
  type SubscribePacket,
  type SubscriptionRequest,
  type UnsubscribePacket,
  type WillMessage,
} from "./packets.js";
import { readProperties } from "./properties.js";
import { ByteReader, readUtf8 } from "./wire-reader.js";

const malformed = (what: string) => new MqttProtocolError(ReasonCode.malformedPacket, what);
const protocolError = (what: string) => new MqttProtocolError(ReasonCode.protocolError, what);

/** One framed packet: the first byte, and the body as a view into the received bytes. */
export interface Frame {
  header: number;
  body: Buffer;
}

/** Cuts a byte stream into frames. Throws MqttProtocolError on a bad length or an oversize packet. */
export class MqttFramer {
  private pending: Buffer | null = null;

  /** `maxPacketSize` counts the whole packet, fixed header included (MQTT 5 3.1.2.11.4). */
  constructor(public maxPacketSize: number) {}

  /** Feeds bytes; calls `onFrame` for each complete packet. Stops early when `onFrame` returns false. */
  push(chunk: Buffer, onFrame: (f: Frame) => boolean): void {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let pos = 0;
    while (pos < buf.length) {
      const header = buf[pos];
      let length = 0;
      let mult = 1;
      let i = pos + 1;
      let complete = false;
      for (let n = 0; n < 4 && i < buf.length; n++, i++) {
        const b = buf[i];
        length += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          i++;
          break;
        }
      }
      if (!complete) {
        if (i - pos - 1 >= 4) throw malformed("malformed remaining length");
        break;
      }
      const total = i - pos + length;
      if (total > this.maxPacketSize)
        throw new MqttProtocolError(ReasonCode.packetTooLarge, "packet too large");
      if (buf.length - pos < total) break;
      const ok = onFrame({ header, body: buf.subarray(i, i + length) });
      pos += total;
      if (!ok) return;
    }
    if (pos < buf.length) {
      // Copy the tail so a small remainder does not pin a large chunk.
      buf = buf.subarray(pos);
      this.pending = Buffer.from(buf);
    }
  }

  /** Bytes held for an incomplete packet. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }
}

/** Reason codes a client may send in PUBACK/PUBREC (3.4.2.1) and PUBREL/PUBCOMP (3.6.2.1). */
const ACK_REASONS = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const ACK_REASONS_REL = [0x00, 0x92];

/** Flag nibble each packet type must carry (spec 2.1.3); PUBLISH is checked on its own. */
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/** Decodes one frame. `version` is the connection's protocol level (0 before CONNECT). */
export function decodePacket(frame: Frame, version: number): InboundPacket {
  const type = frame.header >> 4;
  const flags = frame.header & 0x0f;
  // Reason codes follow mosquitto where the spec leaves the choice (malformed versus protocol error).
  if (type === 0 || (type === PacketType.AUTH && (version !== 5 || flags !== 0)))
    throw protocolError("reserved packet type or flags");
  if (
    type === PacketType.CONNACK ||
    type === PacketType.SUBACK ||
    type === PacketType.UNSUBACK ||
    type === PacketType.PINGRESP
  ) {
    // mosquitto: bad flags on SUBACK/UNSUBACK are malformed, CONNACK/PINGRESP are protocol errors either way.
    if (flags !== 0 && (type === PacketType.SUBACK || type === PacketType.UNSUBACK))
      throw malformed("invalid fixed header flags");
    throw protocolError("client-bound packet type sent by a client");
  }
  // MQTT 3.1 (level 3) did not fix the CONNECT flag nibble: decodeConnect checks it for 3.1.1 and 5.
  if (type !== PacketType.PUBLISH && type !== PacketType.CONNECT && flags !== REQUIRED_FLAGS[type])
    throw malformed("invalid fixed header flags");
  const r = new ByteReader(frame.body, 0, frame.body.length);
  const v5 = version === 5;
  let packet: InboundPacket;
  switch (type) {
    case PacketType.CONNECT:
      packet = decodeConnect(r, flags);
      break;
    case PacketType.PUBLISH:
      packet = decodePublish(r, flags, v5);
      break;
    case PacketType.PUBACK:
    case PacketType.PUBREC:
    case PacketType.PUBREL:
    case PacketType.PUBCOMP:
      packet = decodeAck(r, type, v5);
      break;
    case PacketType.SUBSCRIBE:
      packet = decodeSubscribe(r, v5);
      break;
    case PacketType.UNSUBSCRIBE:
      packet = decodeUnsubscribe(r, v5);
      break;
    case PacketType.PINGREQ:
      packet = { type: 12, reasonCode: 0, properties: {} };
      break;
    default:
      packet = decodeDisconnectOrAuth(r, type as 14 | 15, v5);
  }
  if (r.remaining !== 0) throw malformed("trailing bytes in packet");
  return packet;
}

/**
 * CONNECT (3.1): protocol name/level are checked by the caller (it answers with the right CONNACK);
 * everything else that is wrong here is malformed.
 */
function decodeConnect(r: ByteReader, headerFlags: number): ConnectPacket {
  const protocolName = r.binary().toString("latin1");
  const protocolLevel = r.u8();
  const packet: ConnectPacket = {
    type: 1,
    protocolName,
    protocolLevel,
    clean: false,
    keepAlive: 0,
    clientId: "",
    will: null,
    username: undefined,
    password: undefined,
    properties: {},
  };
  // An unknown name or level: stop here, the caller refuses it before reading further.
  if (!knownProtocol(protocolName, protocolLevel)) {
    r.pos = r.end;
    return packet;
  }
  const v5 = protocolLevel === 5;
  if (headerFlags !== 0 && protocolLevel !== 3) throw malformed("invalid fixed header flags");
  const flags = r.u8();
  if (flags & 0x01 && protocolLevel !== 3) throw malformed("connect flags reserved bit not set to 0");
  const willFlag = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 0x03;
  const willRetain = (flags & 0x20) !== 0;
  const hasPassword = (flags & 0x40) !== 0;
  const hasUser = (flags & 0x80) !== 0;
  if (!willFlag && (willQos !== 0 || willRetain)) throw malformed("will QoS/retain set without will flag");
  if (willQos === 3) throw malformed("will QoS 3");
  if (!v5 && hasPassword && !hasUser) throw malformed("password flag set but username flag is not");
  packet.clean = (flags & 0x02) !== 0;
  packet.keepAlive = r.u16();
  if (v5) packet.properties = readProperties(r, "connect");
  packet.clientId = readUtf8(r);
  if (willFlag) packet.will = decodeWill(r, v5, willQos, willRetain);
  if (hasUser) packet.username = readUtf8(r);
  if (hasPassword) packet.password = r.binary();
  return packet;
}

export function knownProtocol(name: string, level: number): boolean {
  return (name === "MQTT" && (level === 4 || level === 5)) || (name === "MQIsdp" && level === 3);
}

function decodeWill(r: ByteReader, v5: boolean, qos: number, retain: boolean): WillMessage {
  const properties: Properties = v5 ? readProperties(r, "will") : {};
  const topic = readUtf8(r);
  const payload = r.binary();
  if (properties.payloadFormatIndicator === 1 && !isUtf8(payload))
    throw new MqttProtocolError(ReasonCode.payloadFormatInvalid, "will payload is not UTF-8");
  return { topic, payload, qos, retain, properties };
}

function decodePublish(r: ByteReader, flags: number, v5: boolean): PublishPacket {
  const qos = (flags >> 1) & 0x03;
  if (qos === 3) throw malformed("PUBLISH QoS 3");
  const dup = (flags & 0x08) !== 0;
  if (qos === 0 && dup) throw malformed("DUP set on a QoS 0 PUBLISH");
  const topic = readUtf8(r);
  let packetId = 0;
  if (qos > 0) {
    packetId = r.u16();
    if (packetId === 0) throw protocolError("packet identifier cannot be 0");
  }
  const properties = v5 ? readProperties(r, "publish") : {};
  const payload = r.buf.subarray(r.pos, r.end);
  r.pos = r.end;
  return { type: 3, topic, qos, retain: (flags & 0x01) !== 0, dup, packetId, properties, payload };
}

function decodeAck(r: ByteReader, type: 4 | 5 | 6 | 7, v5: boolean): AckPacket {
  if (!v5 && r.remaining !== 2) throw malformed("acknowledgement must be 2 bytes");
  const packetId = r.u16();
  if (packetId === 0) throw protocolError("packet identifier cannot be 0");
  let reasonCode = 0;
  let properties: Properties = {};
  if (r.remaining > 0) reasonCode = r.u8();
  if (r.remaining > 0) properties = readProperties(r, "ack");
  const valid = type === PacketType.PUBREL || type === PacketType.PUBCOMP ? ACK_REASONS_REL : ACK_REASONS;
  if (!valid.includes(reasonCode)) throw protocolError(`invalid reason code 0x${reasonCode.toString(16)}`);
  return { type, packetId, reasonCode, properties };
}

function decodeSubscribe(r: ByteReader, v5: boolean): SubscribePacket {
  const packetId = r.u16();
  if (packetId === 0) throw malformed("packet identifier cannot be 0");
  const properties = v5 ? readProperties(r, "subscribe") : {};
  const subscriptions: SubscriptionRequest[] = [];
  while (r.remaining > 0) {
    const filter = readUtf8(r);
    if (filter.length === 0) throw malformed("empty topic filter");
    const options = r.u8();
    if (v5 ? (options & 0xc0) !== 0 : (options & 0xfc) !== 0)
      throw malformed("subscription options reserved bits");
    const qos = options & 0x03;
    const retainHandling = (options >> 4) & 0x03;
    if (qos === 3) throw malformed("subscription QoS 3");
    if (retainHandling === 3) throw malformed("retain handling 3");
    subscriptions.push({
      filter,
      qos,
      noLocal: (options & 0x04) !== 0,
      retainAsPublished: (options & 0x08) !== 0,
      retainHandling,
    });
  }
  if (subscriptions.length === 0) throw malformed("SUBSCRIBE without a topic filter");
  return { type: 8, packetId, properties, subscriptions };
}

function decodeUnsubscribe(r: ByteReader, v5: boolean): UnsubscribePacket {
  const packetId = r.u16();
  if (packetId === 0) throw malformed("packet identifier cannot be 0");
  const properties = v5 ? readProperties(r, "unsubscribe") : {};
  const filters: string[] = [];
  while (r.remaining > 0) {
    const filter = readUtf8(r);
    if (filter.length === 0) throw malformed("empty topic filter");
    filters.push(filter);
  }
  if (filters.length === 0) throw malformed("UNSUBSCRIBE without a topic filter");
  return { type: 10, packetId, properties, filters };
}

function decodeDisconnectOrAuth(r: ByteReader, type: 14 | 15, v5: boolean): SimplePacket {
  if (!v5) {
    if (r.remaining !== 0) throw malformed("DISCONNECT must be empty");
    return { type, reasonCode: 0, properties: {} };
  }
  let reasonCode = 0;
  let properties: Properties = {};
  if (r.remaining > 0) reasonCode = r.u8();
  if (r.remaining > 0) properties = readProperties(r, type === 14 ? "disconnect" : "auth");
  return { type, reasonCode, properties };
}

const utf8Check = new TextDecoder("utf-8", { fatal: true });

export function isUtf8(b: Buffer): boolean {
  try {
    utf8Check.decode(b);
    return true;
  } catch {
    return false;
  }
}
