// Replays one MQTT byte-level conversation (../shared/conformance/mqtt-vectors format) over a real
// socket and reports what differed: disconnect versus stay-connected, and reply bytes.

import { connect, type Socket } from "node:net";
import mqtt from "mqtt";

export interface VectorMsg {
  type: "send" | "recv" | "publish";
  payload: string;
  topic?: string;
  qos?: number;
  comment?: string;
}

export interface VectorTest {
  name: string;
  ver?: number;
  connect?: boolean;
  expect_disconnect?: boolean;
  msgs: VectorMsg[];
}

export interface VectorGroup {
  group: string;
  disable?: boolean;
  tests: VectorTest[];
}

export interface VectorOutcome {
  /** The broker's behaviour disagreed on disconnect versus stay-connected. */
  disconnectMismatch: string | null;
  /** Reply bytes that differed (expected vs got), in order. */
  byteMismatches: string[];
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** A socket reader: bytes arrive into a buffer; readers wait for n bytes or the close. */
class Conversation {
  private buf = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;

  constructor(readonly socket: Socket) {
    socket.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => undefined);
  }

  /** Resolves with up to n bytes: fewer when the socket closed or the time ran out. */
  async read(n: number, ms: number): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (this.buf.length < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
    const out = this.buf.subarray(0, Math.min(n, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Reads one whole MQTT packet (fixed header + body), or what arrived before close/timeout. */
  async readPacket(ms: number): Promise<Buffer> {
    const head = await this.read(2, ms);
    if (head.length < 2) return head;
    const parts = [head];
    let len = head[1] & 0x7f;
    let mult = 128;
    let last = head[1];
    while (last & 0x80) {
      const b = await this.read(1, ms);
      if (b.length === 0) return Buffer.concat(parts);
      parts.push(b);
      last = b[0];
      len += (last & 0x7f) * mult;
      mult *= 128;
    }
    parts.push(await this.read(len, ms));
    return Buffer.concat(parts);
  }

  async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await this.read(1 << 30, deadline - Date.now());
    return this.closed;
  }
}

function plainConnect(clientId: string, ver: number): Buffer {
  const id = Buffer.from(clientId, "utf8");
  const name = ver === 3 ? "MQIsdp" : "MQTT";
  const parts = [
    Buffer.from([0, name.length]),
    Buffer.from(name, "latin1"),
    Buffer.from([ver, 0x02, 0, 60]),
    ver === 5 ? Buffer.from([0]) : Buffer.alloc(0),
    Buffer.from([id.length >> 8, id.length & 0xff]),
    id,
  ];
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const RECV_MS = 1000;
const CLOSE_MS = 1500;

async function helperPublish(port: number, m: VectorMsg): Promise<void> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, protocolVersion: 4 });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    await client.publishAsync(m.topic ?? "", Buffer.from(m.payload, "utf8"), {
      qos: (m.qos ?? 0) as 0 | 1 | 2,
    });
  } finally {
    await client.endAsync();
  }
}

export async function runVector(port: number, fullName: string, t: VectorTest): Promise<VectorOutcome> {
  const ver = t.ver ?? 4;
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const conv = new Conversation(socket);
  const byteMismatches: string[] = [];
  try {
    if (t.connect !== false) {
      socket.write(plainConnect(fullName, ver));
      const connack = await conv.readPacket(RECV_MS);
      if (connack.length < 4 || connack[0] !== 0x20 || connack[3] !== 0)
        return { disconnectMismatch: `plain CONNECT refused: ${connack.toString("hex")}`, byteMismatches };
    }
    for (const m of t.msgs) {
      if (m.type === "send") {
        if (!conv.closed) socket.write(hex(m.payload));
      } else if (m.type === "publish") {
        await helperPublish(port, m);
      } else {
        const want = hex(m.payload);
        const got = await conv.read(want.length, RECV_MS);
        if (!got.equals(want))
          byteMismatches.push(`expected ${want.toString("hex")}, got ${got.toString("hex") || "nothing"}`);
      }
    }
    const expectDisconnect = t.expect_disconnect !== false;
    if (expectDisconnect) {
      const closed = await conv.waitClosed(CLOSE_MS);
      return {
        disconnectMismatch: closed ? null : "expected a disconnect, the connection stayed open",
        byteMismatches,
      };
    }
    if (!conv.closed) socket.write(Buffer.from([0xc0, 0x00]));
    // Other packets may still arrive first (e.g. a PUBLISH after the last listed reply): skip to PINGRESP.
    const deadline = Date.now() + RECV_MS;
    while (Date.now() < deadline) {
      const p = await conv.readPacket(deadline - Date.now());
      if (p.length === 2 && p[0] === 0xd0 && p[1] === 0) return { disconnectMismatch: null, byteMismatches };
      if (p.length === 0 || conv.closed) break;
    }
    return { disconnectMismatch: "expected to stay connected, no PINGRESP", byteMismatches };
  } finally {
    socket.destroy();
  }
}
