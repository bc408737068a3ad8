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
export enum ParseError {
  UnknownOp = 1,
  BadPubArgs = 2,
  BadHPubArgs = 3,
  BadSubArgs = 4,
  BadUnsubArgs = 5,
  MaxControlLine = 6,
  MaxPayload = 7,
  BadPayloadEnd = 8,
  /** The client sent `-ERR`: nats-server logs it and closes the client (client.go processErr). */
  ClientError = 9,
  /** An operation other than CONNECT while `connectRequired` (nats-server: Authorization Violation). */
  NotAuthorized = 10,
}

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

enum State {
  Line = 0,
  Payload = 1,
}

/** Operations a client may send; Incomplete = a split line that could still become one. */
enum Op {
  Incomplete = -1,
  Unknown = 0,
  Pub = 1,
  HPub = 2,
  Sub = 3,
  Unsub = 4,
  Ping = 5,
  Pong = 6,
  Connect = 7,
  Info = 8,
  Ok = 9,
  Err = 10,
}

/**
 * Operation names as nats-server's op states spell them (server/parser.go): `spaced` ones must be followed by
 * a space or tab, the others may be followed by anything (PING and PONG ignore the rest of their line).
 */
const OPS: readonly { name: string; op: Op; spaced: boolean }[] = [
  { name: "pub", op: Op.Pub, spaced: true },
  { name: "hpub", op: Op.HPub, spaced: true },
  { name: "sub", op: Op.Sub, spaced: true },
  { name: "unsub", op: Op.Unsub, spaced: true },
  { name: "ping", op: Op.Ping, spaced: false },
  { name: "pong", op: Op.Pong, spaced: false },
  { name: "connect", op: Op.Connect, spaced: false },
  { name: "info", op: Op.Info, spaced: false },
  { name: "+ok", op: Op.Ok, spaced: false },
  { name: "-err", op: Op.Err, spaced: true },
];

/**
 * Bytes a split line may hold beyond max_control_line before it fails: room for the operation name and the
 * whitespace before its arguments (which nats-server does not count), and a bound for a PING or +OK
 * followed by endless junk (which nats-server skips without buffering).
 */
const LINE_SLACK = 512;

/** Longest subject the per-connection last-subject cache keeps (longer ones are decoded every time). */
const SUBJECT_CACHE_MAX = 128;

function lowerAscii(b: number): number {
  return b >= 65 && b <= 90 ? b | 0x20 : b;
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
  /** Where the arguments start in the line last given to matchOp(). */
  private argStart = 0;
  private closed = false;
  /**
   * The last PUB subject as bytes and as a string: publishers mostly repeat a subject, so comparing a few
   * bytes replaces the decode, and the sublist's cache then looks up a string whose hash V8 already knows
   * (nats-server keeps a per-connection result cache keyed by the subject bytes for the same reason).
   */
  private lastSubjectBytes: Buffer | null = null;
  private lastSubjectLen = -1;
  private lastSubject = "";
  /**
   * Set while a server with auth waits for CONNECT: like nats-server's OP_START, a line whose first byte is
   * not C/c fails at once, so an unauthenticated client cannot make the server parse or buffer a payload.
   */
  connectRequired = false;

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
      if (this.connectRequired && this.partialLine === null && (buf[pos] | 0x20) !== 0x63) {
        this.fail(ParseError.NotAuthorized, "");
        return;
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
    const line = this.partialLine!;
    const len = this.partialLen;
    // Fail as early as nats-server does: on the first byte that cannot start an operation, and when the
    // arguments buffered so far (not counting a CR that may end them) already pass max_control_line.
    const op = this.matchOp(line, 0, len, false);
    if (op === Op.Unknown) {
      this.fail(ParseError.UnknownOp, line.toString("latin1", 0, Math.min(len, 64)));
      return;
    }
    let argLen = op === Op.Incomplete ? 0 : len - this.argStart;
    if (argLen > 0 && line[len - 1] === CR) argLen--;
    if (argLen > this.limits.maxControlLine || len > this.limits.maxControlLine + LINE_SLACK) {
      this.fail(ParseError.MaxControlLine, "");
    }
  }

  private appendPartial(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const need = this.partialLen + n;
    if (this.partialLine === null || this.partialLine.length < need) {
      const cap = Math.max(need, this.partialLine === null ? 256 : this.partialLine.length * 2);
      // Bounded: a line past maxControlLine + LINE_SLACK fails before the next append.
      const next = Buffer.allocUnsafe(Math.min(cap, this.limits.maxControlLine + LINE_SLACK + n));
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
    const op = this.isPub(buf, start, lineEnd) ? Op.Pub : this.matchOp(buf, start, lineEnd, true);
    switch (op) {
      case Op.Ping:
        this.handler.onPing();
        return;
      case Op.Pong:
        this.handler.onPong();
        return;
      case Op.Ok:
        return; // nats-server accepts and ignores +OK from clients
      case Op.Err:
        this.fail(ParseError.ClientError, buf.toString("utf8", this.argStart, lineEnd));
        return;
      case Op.Unknown:
      case Op.Incomplete:
        this.fail(ParseError.UnknownOp, buf.toString("latin1", start, Math.min(lineEnd, start + 64)));
        return;
    }
    // nats-server measures only the arguments against max_control_line (parser.go overMaxControlLineLimit).
    const p = this.argStart;
    if (lineEnd - p > this.limits.maxControlLine) {
      this.fail(ParseError.MaxControlLine, "");
      return;
    }
    switch (op) {
      case Op.Pub:
        this.parsePub(buf, p, lineEnd);
        return;
      case Op.HPub:
        this.parseHPub(buf, p, lineEnd);
        return;
      case Op.Sub:
        this.parseSub(buf, p, lineEnd);
        return;
      case Op.Unsub:
        this.parseUnsub(buf, p, lineEnd);
        return;
      case Op.Connect:
        this.handler.onConnect(buf.toString("utf8", p, lineEnd));
        return;
      case Op.Info:
        this.handler.onInfo(buf.toString("utf8", p, lineEnd));
        return;
    }
  }

  /**
   * Recognises the operation at the start of `buf[p..end)` the way nats-server's op states do: no leading
   * whitespace, letters in any case. Sets this.argStart past the whitespace after the name.
   * With `complete` false the line may still be growing: a prefix of a name is Incomplete, not Unknown.
   */
  private matchOp(buf: Buffer, p: number, end: number, complete: boolean): Op {
    for (let k = 0; k < OPS.length; k++) {
      const { name, op, spaced } = OPS[k];
      let i = 0;
      while (i < name.length && p + i < end && lowerAscii(buf[p + i]) === name.charCodeAt(i)) i++;
      if (i < name.length) {
        if (p + i === end && !complete) return Op.Incomplete;
        continue;
      }
      let q = p + i;
      if (spaced) {
        if (q === end) return complete ? Op.Unknown : Op.Incomplete;
        if (buf[q] !== SPACE && buf[q] !== TAB) return Op.Unknown;
      }
      while (q < end && (buf[q] === SPACE || buf[q] === TAB)) q++;
      this.argStart = q;
      return op;
    }
    return Op.Unknown;
  }

  /**
   * The common case first: `PUB` (any case) and a space or tab, checked in a few byte compares instead of
   * the operation table. Sets this.argStart like matchOp.
   */
  private isPub(buf: Buffer, p: number, end: number): boolean {
    if (
      end - p < 4 ||
      (buf[p] | 0x20) !== 0x70 ||
      (buf[p + 1] | 0x20) !== 0x75 ||
      (buf[p + 2] | 0x20) !== 0x62
    )
      return false;
    let q = p + 3;
    if (buf[q] !== SPACE && buf[q] !== TAB) return false;
    while (q < end && (buf[q] === SPACE || buf[q] === TAB)) q++;
    this.argStart = q;
    return true;
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
    return buf.utf8Slice(this.args[i * 2], this.args[i * 2 + 1]);
  }

  /** The first argument (a PUB/HPUB subject) as a string, reusing the last one when the bytes are equal. */
  private subjectArg(buf: Buffer): string {
    const s = this.args[0];
    const n = this.args[1] - s;
    if (n === this.lastSubjectLen) {
      const cached = this.lastSubjectBytes!;
      let i = 0;
      while (i < n && buf[s + i] === cached[i]) i++;
      if (i === n) return this.lastSubject;
    }
    const subject = buf.utf8Slice(s, s + n);
    if (n <= SUBJECT_CACHE_MAX) {
      // Allocated outside the shared pool so a connection never pins an 8 KiB pool slab.
      if (this.lastSubjectBytes === null) this.lastSubjectBytes = Buffer.allocUnsafeSlow(SUBJECT_CACHE_MAX);
      const cached = this.lastSubjectBytes;
      // A byte loop: Buffer.copy's argument handling costs more than copying a short subject.
      for (let i = 0; i < n; i++) cached[i] = buf[s + i];
      this.lastSubjectLen = n;
      this.lastSubject = subject;
    }
    return subject;
  }

  /** Parses a non-negative decimal argument; -1 when it is not one (at most 9 digits, as nats-server's parseSize). */
  private argNumber(buf: Buffer, i: number): number {
    const s = this.args[i * 2];
    const e = this.args[i * 2 + 1];
    if (e - s > 9 || e === s) return -1;
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
    this.pubSubject = this.subjectArg(buf);
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
    this.pubSubject = this.subjectArg(buf);
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
    // nats-server checks the CRLF after the payload byte by byte: a wrong byte fails at once,
    // without waiting for the rest of the declared length.
    const have = this.payloadHave;
    const size = this.pubSize;
    if (
      (have > size && this.payloadBuf[size] !== CR) ||
      (have > size + 1 && this.payloadBuf[size + 1] !== LF)
    ) {
      this.fail(ParseError.BadPayloadEnd, "");
      return buf.length;
    }
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
    // A max that is not a number unsubscribes at once: nats-server's parseSize gives -1, which it treats as none.
    const max = n === 2 ? Math.max(this.argNumber(buf, 1), 0) : 0;
    this.handler.onUnsub(this.argString(buf, 0), max);
  }

  private fail(error: ParseError, detail: string): void {
    this.closed = true;
    this.partialLine = null;
    this.payloadBuf = null;
    this.handler.onParseError(error, detail);
  }
}
