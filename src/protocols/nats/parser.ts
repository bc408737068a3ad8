// Byte-level parser of the NATS client protocol (client → server direction).
// Works on positions in the incoming Buffers; resumes wherever a chunk ends, even inside "\r\n" or a payload.
// Payloads wholly inside one chunk are handed on as zero-copy subarrays.

export interface ParserHandler {
  onPub(subject: string, reply: string | null, payload: Buffer): void;
  onHPub(subject: string, reply: string | null, headers: Buffer, payload: Buffer): void;
  onSub(subject: string, queue: string | null, sid: string): void;
  onUnsub(sid: string, max: number): void;
  onPing(): void;
  onPong(): void;
  onConnect(json: string): void;
  /** A client may echo INFO (nats-server ignores it from clients). */
  onInfo(json: string): void;
  onParseError(error: ParseError, detail: string): void;
}

/** The ways a client's byte stream can be wrong; the connection maps each to nats-server's reaction. */
export const enum ParseError {
  UnknownOp = 1,
  BadPubArgs = 2,
  BadHPubArgs = 3,
  BadSubArgs = 4,
  BadUnsubArgs = 5,
  MaxControlLine = 6,
  MaxPayload = 7,
  BadPayloadEnd = 8,
}

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

const enum State {
  Line = 0,
  Payload = 1,
}

export interface ParserLimits {
  maxControlLine: number;
  maxPayload: number;
}

export class NatsParser {
  private state = State.Line;
  /** Bytes of a control line split across chunks (bounded by maxControlLine). */
  private partialLine: Buffer | null = null;
  private partialLen = 0;
  /** Pending PUB/HPUB waiting for its payload. */
  private pubSubject = "";
  private pubReply: string | null = null;
  private pubHeaderSize = -1;
  private pubSize = 0;
  /** Payload (plus trailing CRLF) being assembled across chunks. */
  private payloadBuf: Buffer | null = null;
  private payloadHave = 0;
  /** Reusable argument slots: [start0, end0, start1, end1, ...]. */
  private readonly args = new Int32Array(16);
  private closed = false;

  constructor(
    private readonly handler: ParserHandler,
    public limits: ParserLimits,
  ) {}

  /** Stop parsing: the connection is going away; later bytes are ignored. */
  stop(): void {
    this.closed = true;
  }

  parse(buf: Buffer): void {
    let pos = 0;
    const len = buf.length;
    while (pos < len && !this.closed) {
      if (this.state === State.Payload) {
        pos = this.readPayload(buf, pos);
        continue;
      }
      const nl = buf.indexOf(LF, pos);
      if (nl === -1) {
        this.savePartial(buf, pos, len);
        return;
      }
      if (this.partialLine !== null) {
        this.appendPartial(buf, pos, nl + 1);
        const line = this.partialLine;
        const lineLen = this.partialLen;
        this.partialLine = null;
        this.partialLen = 0;
        pos = nl + 1;
        this.processLine(line, 0, lineLen);
      } else {
        const start = pos;
        pos = nl + 1;
        this.processLine(buf, start, pos);
      }
    }
  }

  private savePartial(buf: Buffer, start: number, end: number): void {
    this.appendPartial(buf, start, end);
    // A control line that can no longer end within the limit fails before its newline arrives,
    // as in nats-server (+1 leaves room for a CR that may already be buffered).
    if (this.partialLen > this.limits.maxControlLine + 1) this.fail(ParseError.MaxControlLine, "");
  }

  private appendPartial(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const need = this.partialLen + n;
    if (this.partialLine === null || this.partialLine.length < need) {
      const cap = Math.max(need, this.partialLine === null ? 256 : this.partialLine.length * 2);
      // Bounded: a line past maxControlLine fails before the next append.
      const next = Buffer.allocUnsafe(Math.min(cap, this.limits.maxControlLine + 1024 + n));
      if (this.partialLine !== null) this.partialLine.copy(next, 0, 0, this.partialLen);
      this.partialLine = next;
    }
    buf.copy(this.partialLine, this.partialLen, start, end);
    this.partialLen = need;
  }

  /** `start..end` includes the terminating LF (and usually a CR before it). */
  private processLine(buf: Buffer, start: number, end: number): void {
    let lineEnd = end - 1; // drop LF
    if (lineEnd > start && buf[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd - start > this.limits.maxControlLine) {
      this.fail(ParseError.MaxControlLine, "");
      return;
    }
    // Skip leading whitespace like nats-server's OP_START (it ignores stray CR/LF between ops).
    let p = start;
    while (p < lineEnd && (buf[p] === SPACE || buf[p] === TAB || buf[p] === CR)) p++;
    if (p === lineEnd) {
      if (p === start && lineEnd === end - 1 && end - start <= 2) return; // empty line between ops
      this.fail(ParseError.UnknownOp, "");
      return;
    }
    const c0 = buf[p] | 0x20;
    const opStart = p;
    while (p < lineEnd && buf[p] !== SPACE && buf[p] !== TAB) p++;
    const opLen = p - opStart;
    switch (c0) {
      case 0x70: // p
        if (opLen === 3 && (buf[opStart + 1] | 0x20) === 0x75 && (buf[opStart + 2] | 0x20) === 0x62) {
          this.parsePub(buf, p, lineEnd);
          return;
        }
        if (opLen === 4 && this.opIs(buf, opStart, "ping")) {
          this.handler.onPing();
          return;
        }
        if (opLen === 4 && this.opIs(buf, opStart, "pong")) {
          this.handler.onPong();
          return;
        }
        break;
      case 0x68: // h
        if (opLen === 4 && this.opIs(buf, opStart, "hpub")) {
          this.parseHPub(buf, p, lineEnd);
          return;
        }
        break;
      case 0x73: // s
        if (opLen === 3 && this.opIs(buf, opStart, "sub")) {
          this.parseSub(buf, p, lineEnd);
          return;
        }
        break;
      case 0x75: // u
        if (opLen === 5 && this.opIs(buf, opStart, "unsub")) {
          this.parseUnsub(buf, p, lineEnd);
          return;
        }
        break;
      case 0x63: // c
        if (opLen === 7 && this.opIs(buf, opStart, "connect")) {
          this.handler.onConnect(this.restOfLine(buf, p, lineEnd));
          return;
        }
        break;
      case 0x69: // i
        if (opLen === 4 && this.opIs(buf, opStart, "info")) {
          this.handler.onInfo(this.restOfLine(buf, p, lineEnd));
          return;
        }
        break;
    }
    this.fail(ParseError.UnknownOp, buf.toString("latin1", opStart, Math.min(lineEnd, opStart + 64)));
  }

  private opIs(buf: Buffer, start: number, lower: string): boolean {
    for (let i = 0; i < lower.length; i++) {
      if ((buf[start + i] | 0x20) !== lower.charCodeAt(i)) return false;
    }
    return true;
  }

  private restOfLine(buf: Buffer, p: number, end: number): string {
    while (p < end && (buf[p] === SPACE || buf[p] === TAB)) p++;
    return buf.toString("utf8", p, end);
  }

  /** Splits arguments on spaces/tabs into this.args; returns the count, or -1 past the slots. */
  private splitArgs(buf: Buffer, p: number, end: number): number {
    const args = this.args;
    let n = 0;
    while (p < end) {
      while (p < end && (buf[p] === SPACE || buf[p] === TAB)) p++;
      if (p >= end) break;
      const s = p;
      while (p < end && buf[p] !== SPACE && buf[p] !== TAB) p++;
      if (n === 8) return -1;
      args[n * 2] = s;
      args[n * 2 + 1] = p;
      n++;
    }
    return n;
  }

  private argString(buf: Buffer, i: number): string {
    return buf.toString("utf8", this.args[i * 2], this.args[i * 2 + 1]);
  }

  /** Parses a non-negative decimal argument; -1 when it is not one. */
  private argNumber(buf: Buffer, i: number): number {
    const s = this.args[i * 2];
    const e = this.args[i * 2 + 1];
    if (e - s > 15 || e === s) return -1;
    let n = 0;
    for (let p = s; p < e; p++) {
      const d = buf[p] - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  private parsePub(buf: Buffer, p: number, end: number): void {
    const n = this.splitArgs(buf, p, end);
    if (n !== 2 && n !== 3) {
      this.fail(ParseError.BadPubArgs, buf.toString("utf8", p, end).trim());
      return;
    }
    const size = this.argNumber(buf, n - 1);
    if (size < 0) {
      this.fail(ParseError.BadPubArgs, buf.toString("utf8", p, end).trim());
      return;
    }
    if (size > this.limits.maxPayload) {
      this.fail(ParseError.MaxPayload, "");
      return;
    }
    this.pubSubject = this.argString(buf, 0);
    this.pubReply = n === 3 ? this.argString(buf, 1) : null;
    this.pubHeaderSize = -1;
    this.pubSize = size;
    this.beginPayload();
  }

  private parseHPub(buf: Buffer, p: number, end: number): void {
    const n = this.splitArgs(buf, p, end);
    if (n !== 3 && n !== 4) {
      this.fail(ParseError.BadHPubArgs, buf.toString("utf8", p, end).trim());
      return;
    }
    const hdr = this.argNumber(buf, n - 2);
    const size = this.argNumber(buf, n - 1);
    if (hdr < 0 || size < 0 || hdr > size) {
      this.fail(ParseError.BadHPubArgs, buf.toString("utf8", p, end).trim());
      return;
    }
    if (size > this.limits.maxPayload) {
      this.fail(ParseError.MaxPayload, "");
      return;
    }
    this.pubSubject = this.argString(buf, 0);
    this.pubReply = n === 4 ? this.argString(buf, 1) : null;
    this.pubHeaderSize = hdr;
    this.pubSize = size;
    this.beginPayload();
  }

  private beginPayload(): void {
    this.state = State.Payload;
    this.payloadBuf = null;
    this.payloadHave = 0;
  }

  /** Consumes payload bytes from `pos`; returns the new position. */
  private readPayload(buf: Buffer, pos: number): number {
    const need = this.pubSize + 2;
    if (this.payloadBuf === null) {
      if (buf.length - pos >= need) {
        // Fast path: the whole payload and its CRLF are in this chunk.
        const payload = buf.subarray(pos, pos + this.pubSize);
        if (!this.checkPayloadEnd(buf, pos + this.pubSize)) return buf.length;
        this.state = State.Line;
        this.dispatchPayload(payload);
        return pos + need;
      }
      this.payloadBuf = Buffer.allocUnsafe(need);
      this.payloadHave = 0;
    }
    const take = Math.min(need - this.payloadHave, buf.length - pos);
    buf.copy(this.payloadBuf, this.payloadHave, pos, pos + take);
    this.payloadHave += take;
    pos += take;
    if (this.payloadHave === need) {
      const full = this.payloadBuf;
      this.payloadBuf = null;
      if (!this.checkPayloadEnd(full, this.pubSize)) return buf.length;
      this.state = State.Line;
      this.dispatchPayload(full.subarray(0, this.pubSize));
    }
    return pos;
  }

  private checkPayloadEnd(buf: Buffer, at: number): boolean {
    if (buf[at] === CR && buf[at + 1] === LF) return true;
    this.fail(ParseError.BadPayloadEnd, "");
    return false;
  }

  private dispatchPayload(data: Buffer): void {
    const subject = this.pubSubject;
    const reply = this.pubReply;
    this.pubReply = null;
    if (this.pubHeaderSize < 0) {
      this.handler.onPub(subject, reply, data);
    } else {
      const h = this.pubHeaderSize;
      this.handler.onHPub(subject, reply, data.subarray(0, h), data.subarray(h));
    }
  }

  private parseSub(buf: Buffer, p: number, end: number): void {
    const n = this.splitArgs(buf, p, end);
    if (n !== 2 && n !== 3) {
      this.fail(ParseError.BadSubArgs, buf.toString("utf8", p, end).trim());
      return;
    }
    const subject = this.argString(buf, 0);
    const queue = n === 3 ? this.argString(buf, 1) : null;
    this.handler.onSub(subject, queue, this.argString(buf, n - 1));
  }

  private parseUnsub(buf: Buffer, p: number, end: number): void {
    const n = this.splitArgs(buf, p, end);
    if (n !== 1 && n !== 2) {
      this.fail(ParseError.BadUnsubArgs, buf.toString("utf8", p, end).trim());
      return;
    }
    let max = 0;
    if (n === 2) {
      max = this.argNumber(buf, 1);
      if (max < 0) {
        this.fail(ParseError.BadUnsubArgs, buf.toString("utf8", p, end).trim());
        return;
      }
    }
    this.handler.onUnsub(this.argString(buf, 0), max);
  }

  private fail(error: ParseError, detail: string): void {
    this.closed = true;
    this.partialLine = null;
    this.payloadBuf = null;
    this.handler.onParseError(error, detail);
  }
}
