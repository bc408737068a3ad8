// A bounds-checked reader over one MQTT packet body: every read past the end is a malformed packet,
// and UTF-8 strings are checked as the spec requires (1.5.4: well-formed, no NUL, no surrogates).

import { MqttProtocolError, ReasonCode } from "./packets.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos: number,
    public end: number,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new MqttProtocolError(ReasonCode.malformedPacket, "packet too short");
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  varint(): number {
    let value = 0;
    let mult = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      value += (b & 0x7f) * mult;
      if ((b & 0x80) === 0) return value;
      mult *= 128;
    }
    throw new MqttProtocolError(ReasonCode.malformedPacket, "malformed variable byte integer");
  }

  binary(): Buffer {
    const n = this.u16();
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/**
 * A length-prefixed UTF-8 string. Refuses ill-formed UTF-8 and U+0000 [MQTT-1.5.3-1,2], and, as
 * mosquitto does, control characters U+0001..U+001F, U+007F..U+009F and non-characters U+FFFF/U+FFFE
 * (1.5.3: "SHOULD NOT"; they could also never travel safely as NATS protocol text).
 */
export function readUtf8(r: ByteReader): string {
  const bytes = r.binary();
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x7f)
      throw new MqttProtocolError(ReasonCode.malformedPacket, "control character in string");
  }
  let s: string;
  try {
    s = utf8.decode(bytes);
  } catch {
    throw new MqttProtocolError(ReasonCode.malformedPacket, "invalid UTF-8 string");
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x80 && c <= 0x9f) || c === 0xffff || c === 0xfffe)
      throw new MqttProtocolError(ReasonCode.malformedPacket, "disallowed code point in string");
  }
  return s;
}
