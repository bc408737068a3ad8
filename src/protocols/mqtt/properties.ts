// MQTT 5 properties (spec 2.2.2): which packet may carry which property, their wire types,
// strict decoding (duplicates, bad values, truncation) and encoding.

import { MqttProtocolError, type Properties, ReasonCode } from "./packets.js";
import { type ByteReader, readUtf8 } from "./wire-reader.js";

/** Where a property block sits; decides which properties are allowed there. */
export type PropertyContext =
  | "connect"
  | "will"
  | "publish"
  | "ack"
  | "subscribe"
  | "unsubscribe"
  | "disconnect"
  | "auth"
  | "connack"
  | "suback";

type WireType = "byte" | "u16" | "u32" | "varint" | "utf8" | "binary" | "pair";

interface PropertySpec {
  name: keyof Properties;
  wire: WireType;
  allowed: readonly PropertyContext[];
  /** May appear more than once. */
  repeat?: boolean;
  /** A value that is a protocol error, e.g. receive maximum 0. */
  invalid?: (v: number) => boolean;
}

const isNotBool = (v: number) => v > 1;
const isZero = (v: number) => v === 0;

const SPECS: ReadonlyMap<number, PropertySpec> = new Map<number, PropertySpec>([
  [0x01, { name: "payloadFormatIndicator", wire: "byte", allowed: ["publish", "will"], invalid: isNotBool }],
  [0x02, { name: "messageExpiryInterval", wire: "u32", allowed: ["publish", "will"] }],
  [0x03, { name: "contentType", wire: "utf8", allowed: ["publish", "will"] }],
  [0x08, { name: "responseTopic", wire: "utf8", allowed: ["publish", "will"] }],
  [0x09, { name: "correlationData", wire: "binary", allowed: ["publish", "will"] }],
  // A client may not send one in PUBLISH (3.3.2.3.8); mosquitto accepts and ignores it, and so do we.
  [
    0x0b,
    { name: "subscriptionIdentifiers", wire: "varint", allowed: ["subscribe", "publish"], repeat: true },
  ],
  [0x11, { name: "sessionExpiryInterval", wire: "u32", allowed: ["connect", "connack", "disconnect"] }],
  [0x12, { name: "assignedClientIdentifier", wire: "utf8", allowed: ["connack"] }],
  [0x13, { name: "serverKeepAlive", wire: "u16", allowed: ["connack"] }],
  [0x15, { name: "authenticationMethod", wire: "utf8", allowed: ["connect", "connack", "auth"] }],
  [0x16, { name: "authenticationData", wire: "binary", allowed: ["connect", "connack", "auth"] }],
  [0x17, { name: "requestProblemInformation", wire: "byte", allowed: ["connect"], invalid: isNotBool }],
  [0x18, { name: "willDelayInterval", wire: "u32", allowed: ["will"] }],
  [0x19, { name: "requestResponseInformation", wire: "byte", allowed: ["connect"], invalid: isNotBool }],
  [0x1a, { name: "responseInformation", wire: "utf8", allowed: ["connack"] }],
  [0x1c, { name: "serverReference", wire: "utf8", allowed: ["connack", "disconnect"] }],
  [0x1f, { name: "reasonString", wire: "utf8", allowed: ["connack", "ack", "suback", "disconnect", "auth"] }],
  [0x21, { name: "receiveMaximum", wire: "u16", allowed: ["connect", "connack"], invalid: isZero }],
  [0x22, { name: "topicAliasMaximum", wire: "u16", allowed: ["connect", "connack"] }],
  [0x23, { name: "topicAlias", wire: "u16", allowed: ["publish"], invalid: isZero }],
  [0x24, { name: "maximumQos", wire: "byte", allowed: ["connack"] }],
  [0x25, { name: "retainAvailable", wire: "byte", allowed: ["connack"] }],
  [
    0x26,
    {
      name: "userProperties",
      wire: "pair",
      repeat: true,
      allowed: [
        "connect",
        "will",
        "publish",
        "ack",
        "subscribe",
        "unsubscribe",
        "disconnect",
        "auth",
        "connack",
        "suback",
      ],
    },
  ],
  [0x27, { name: "maximumPacketSize", wire: "u32", allowed: ["connect", "connack"], invalid: isZero }],
  [0x28, { name: "wildcardSubscriptionAvailable", wire: "byte", allowed: ["connack"] }],
  [0x29, { name: "subscriptionIdentifierAvailable", wire: "byte", allowed: ["connack"] }],
  [0x2a, { name: "sharedSubscriptionAvailable", wire: "byte", allowed: ["connack"] }],
]);

/** Bounds user properties per packet: thousands of them must not cost unbounded memory or CPU. */
export const MAX_USER_PROPERTIES = 1024;

const malformed = (what: string) => new MqttProtocolError(ReasonCode.malformedPacket, what);
const protocolError = (what: string) => new MqttProtocolError(ReasonCode.protocolError, what);

/** Reads a property block (length varint + properties) at the reader's position. */
export function readProperties(r: ByteReader, ctx: PropertyContext): Properties {
  const length = r.varint();
  const end = r.pos + length;
  if (end > r.end) throw malformed("property length exceeds packet");
  const props: Properties = {};
  const bag = props as Record<string, unknown>;
  // Malformed bytes anywhere in the block win over a protocol error seen earlier in it (as mosquitto).
  let deferred: MqttProtocolError | null = null;
  while (r.pos < end) {
    const id = r.varint();
    const spec = SPECS.get(id);
    if (spec === undefined) throw malformed(`unknown property 0x${id.toString(16)}`);
    const value = readValue(r, spec.wire, end);
    if (!spec.allowed.includes(ctx)) {
      // mosquitto: a property in the wrong packet is malformed in SUBSCRIBE/UNSUBSCRIBE, a protocol error elsewhere.
      if (ctx === "subscribe" || ctx === "unsubscribe") throw malformed(`property ${spec.name} not allowed`);
      deferred ??= protocolError(`property ${spec.name} not allowed`);
      continue;
    }
    if (spec.invalid?.(value as number)) deferred ??= protocolError(`invalid ${spec.name}`);
    if (spec.name === "subscriptionIdentifiers" && value === 0) throw malformed("subscription identifier 0");
    if (spec.repeat) {
      const list = (bag[spec.name] ?? []) as unknown[];
      if (list.length >= MAX_USER_PROPERTIES)
        throw new MqttProtocolError(ReasonCode.implementationSpecificError, "too many properties");
      if (spec.name === "subscriptionIdentifiers" && list.length > 0)
        deferred ??= protocolError("two subscription identifiers");
      list.push(value);
      bag[spec.name] = list;
    } else {
      if (bag[spec.name] !== undefined) deferred ??= protocolError(`duplicate property ${spec.name}`);
      bag[spec.name] = value;
    }
  }
  if (r.pos !== end) throw malformed("property overruns its block");
  if (deferred !== null) throw deferred;
  return props;
}

function readValue(r: ByteReader, wire: WireType, end: number): unknown {
  const limit = r.end;
  r.end = end;
  try {
    switch (wire) {
      case "byte":
        return r.u8();
      case "u16":
        return r.u16();
      case "u32":
        return r.u32();
      case "varint":
        return r.varint();
      case "utf8":
        return readUtf8(r);
      case "binary":
        return r.binary();
      case "pair": {
        const k = readUtf8(r);
        return [k, readUtf8(r)];
      }
    }
  } finally {
    r.end = limit;
  }
}

const IDS: ReadonlyMap<string, [number, WireType]> = new Map(
  [...SPECS].map(([id, spec]) => [spec.name, [id, spec.wire]] as [string, [number, WireType]]),
);

/** Encodes properties (without the length prefix), in the order of `order` or insertion order. */
export function encodeProperties(props: Properties): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const entry = IDS.get(name);
    if (entry === undefined) continue;
    const [id, wire] = entry;
    const values =
      name === "userProperties" || name === "subscriptionIdentifiers" ? (value as unknown[]) : [value];
    for (const v of values) parts.push(Buffer.from([id]), encodeValue(wire, v));
  }
  return Buffer.concat(parts);
}

function encodeValue(wire: WireType, v: unknown): Buffer {
  switch (wire) {
    case "byte":
      return Buffer.from([v as number]);
    case "u16": {
      const b = Buffer.allocUnsafe(2);
      b.writeUInt16BE(v as number);
      return b;
    }
    case "u32": {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(v as number);
      return b;
    }
    case "varint":
      return encodeVarint(v as number);
    case "utf8":
      return lengthPrefixed(Buffer.from(v as string, "utf8"));
    case "binary":
      return lengthPrefixed(v as Buffer);
    case "pair": {
      const [k, val] = v as [string, string];
      return Buffer.concat([
        lengthPrefixed(Buffer.from(k, "utf8")),
        lengthPrefixed(Buffer.from(val, "utf8")),
      ]);
    }
  }
}

export function lengthPrefixed(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + b.length);
  out.writeUInt16BE(b.length);
  b.copy(out, 2);
  return out;
}

export function encodeVarint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}
