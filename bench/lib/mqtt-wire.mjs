// Minimal MQTT 3.1.1 wire helpers for the MQTT benchmarks: pre-encoded packets and a reader that
// counts PUBLISH packets (acking QoS 1 ones) by scanning bytes, so the generator does little work.
import net from "node:net";

function varint(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function str(s) {
  const b = Buffer.from(s, "utf8");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function packet(first, body) {
  return Buffer.concat([Buffer.from([first]), varint(body.length), body]);
}

export function connectPacket(clientId, { clean = true, keepAlive = 0 } = {}) {
  const flags = clean ? 0x02 : 0x00;
  const ka = Buffer.from([keepAlive >> 8, keepAlive & 0xff]);
  return packet(0x10, Buffer.concat([str("MQTT"), Buffer.from([4, flags]), ka, str(clientId)]));
}

export function subscribePacket(id, filter, qos) {
  return packet(0x82, Buffer.concat([Buffer.from([id >> 8, id & 0xff]), str(filter), Buffer.from([qos])]));
}

/** A PUBLISH; for QoS 1 the packet id goes at `idOffset` so batches can be re-stamped. */
export function publishPacket(topic, payload, qos, id = 1) {
  const idBytes = qos > 0 ? Buffer.from([id >> 8, id & 0xff]) : Buffer.alloc(0);
  return packet(0x30 | (qos << 1), Buffer.concat([str(topic), idBytes, payload]));
}

export function pubackPacket(id) {
  return Buffer.from([0x40, 0x02, id >> 8, id & 0xff]);
}

/**
 * Reads an MQTT stream: counts PUBLISH, PUBACK, CONNACK and SUBACK packets; answers QoS 1 PUBLISH
 * with PUBACK (batched per read). Partial packets are kept for the next chunk.
 */
export class MqttReader {
  constructor(socket) {
    this.socket = socket;
    this.publishes = 0;
    this.pubacks = 0;
    this.connacks = 0;
    this.subacks = 0;
    this.rest = null;
    this.closed = null;
    this.onProgress = null;
  }

  feed(chunk) {
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    let pos = 0;
    const acks = [];
    while (pos + 2 <= buf.length) {
      const first = buf[pos];
      let len = 0;
      let mult = 1;
      let i = pos + 1;
      let done = false;
      while (i < buf.length && i < pos + 5) {
        const b = buf[i++];
        len += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) {
          done = true;
          break;
        }
      }
      if (!done || i + len > buf.length) break;
      const type = first >> 4;
      if (type === 3) {
        this.publishes++;
        if (((first >> 1) & 3) === 1) {
          const tlen = buf.readUInt16BE(i);
          const id = buf.readUInt16BE(i + 2 + tlen);
          acks.push(pubackPacket(id));
        }
      } else if (type === 4) this.pubacks++;
      else if (type === 2) this.connacks++;
      else if (type === 9) this.subacks++;
      pos = i + len;
    }
    this.rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
    if (acks.length > 0) this.socket.write(Buffer.concat(acks));
    this.onProgress?.();
  }

  /** Resolves when `pred()` holds (checked after each read), rejects if the socket closes first. */
  until(pred, what, ms = 120_000) {
    return new Promise((resolve, reject) => {
      if (pred()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), ms);
      const prev = this.onProgress;
      this.onProgress = () => {
        prev?.();
        if (pred()) {
          clearTimeout(timer);
          this.onProgress = prev;
          resolve();
        }
      };
      this.socket.once("close", () => {
        clearTimeout(timer);
        reject(new Error(`closed by server while waiting for ${what}`));
      });
    });
  }
}

/** Connects a raw MQTT client and waits for CONNACK. */
export async function mqttConnect(host, port, clientId, opts) {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const reader = new MqttReader(socket);
  socket.on("data", (d) => reader.feed(d));
  socket.on("error", () => undefined);
  socket.write(connectPacket(clientId, opts));
  await reader.until(() => reader.connacks > 0, "CONNACK", 60_000);
  return { socket, reader };
}
