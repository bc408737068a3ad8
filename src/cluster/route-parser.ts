// Byte parser for the route protocol of nats-server 2.9 (server/parser.go, route.go): INFO, CONNECT, PING,
// PONG, +OK, -ERR, RS+/RS-, LS+/LS-, RMSG/HMSG/LMSG. A frame split anywhere resumes on the next chunk.

/** What a routed message carries besides subject and payload (server/route.go processRoutedMsgArgs). */
export interface RoutedMsg {
  account: string;
  subject: string;
  reply: string | null;
  /** Queue groups the sender picked this server for; null = deliver to plain subscribers only. */
  queues: string[] | null;
  /** Origin cluster of LMSG (messages from leaf nodes), else null. */
  origin: string | null;
  headers: Buffer | null;
  payload: Buffer;
}

export interface RouteParserEvents {
  info(json: string): void;
  connect(json: string): void;
  ping(): void;
  pong(): void;
  err(text: string): void;
  /** RS+/LS+: interest of the peer; `weight` is the queue weight (1 for plain subscriptions). */
  sub(account: string, subject: string, queue: string | null, weight: number): void;
  /** RS-/LS-. */
  unsub(account: string, subject: string, queue: string | null): void;
  msg(m: RoutedMsg): void;
}

export class RouteProtocolError extends Error {}

/** Control lines longer than this are a protocol error (INFO with many connect_urls stays well below). */
export const MAX_ROUTE_CONTROL_LINE = 1024 * 1024;
/** Peers enforce max_payload on their own clients; this only bounds what one frame can make us buffer. */
export const MAX_ROUTED_MSG = 64 * 1024 * 1024;
const CR = 13;
const LF = 10;

interface PendingMsg {
  msg: RoutedMsg;
  hdrLen: number;
  total: number;
}

export class RouteParser {
  private rest: Buffer | null = null;
  private pending: PendingMsg | null = null;

  /**
   * `leafAccount` switches to the leaf-node dialect (leafnode.go): LS+/LS-/LMSG/HMSG carry no account, the
   * connection is bound to this one, and LMSG has no origin or header size.
   */
  constructor(
    private readonly ev: RouteParserEvents,
    private readonly leafAccount: string | null = null,
  ) {}

  /** Feeds one chunk; throws RouteProtocolError on garbage. */
  parse(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest !== null) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let pos = 0;
    while (pos < buf.length) {
      if (this.pending !== null) {
        const need = this.pending.total + 2;
        if (buf.length - pos < need) break;
        this.finishMsg(buf, pos);
        pos += need;
        continue;
      }
      const eol = buf.indexOf(LF, pos);
      if (eol < 0) {
        if (buf.length - pos > MAX_ROUTE_CONTROL_LINE)
          throw new RouteProtocolError("maximum control line exceeded");
        break;
      }
      const end = eol > pos && buf[eol - 1] === CR ? eol - 1 : eol;
      this.controlLine(buf.toString("utf8", pos, end));
      pos = eol + 1;
    }
    if (pos < buf.length) this.rest = pos === 0 ? buf : buf.subarray(pos);
  }

  private finishMsg(buf: Buffer, pos: number): void {
    const p = this.pending!;
    this.pending = null;
    const end = pos + p.total;
    if (buf[end] !== CR || buf[end + 1] !== LF)
      throw new RouteProtocolError("message payload not followed by CRLF");
    // A view, not a copy (as the client parser does): socket chunks are fresh buffers nobody writes to again.
    const body = buf.subarray(pos, end);
    p.msg.headers = p.hdrLen > 0 ? body.subarray(0, p.hdrLen) : null;
    p.msg.payload = p.hdrLen > 0 ? body.subarray(p.hdrLen) : body;
    this.ev.msg(p.msg);
  }

  private controlLine(line: string): void {
    let sp = line.indexOf(" ");
    const tab = line.indexOf("\t");
    if (tab >= 0 && (sp < 0 || tab < sp)) sp = tab;
    const head = sp < 0 ? line : line.slice(0, sp);
    const op = head === "RMSG" || head === "LMSG" || head === "HMSG" ? head : head.toUpperCase();
    const arg = sp < 0 ? "" : line.slice(sp + 1).trim();
    if (this.leafAccount !== null && this.leafOp(op, arg)) return;
    switch (op) {
      case "PING":
        this.ev.ping();
        return;
      case "PONG":
        this.ev.pong();
        return;
      case "+OK":
        return;
      case "-ERR":
        this.ev.err(arg.replace(/^'|'$/g, ""));
        return;
      case "INFO":
        this.ev.info(arg);
        return;
      case "CONNECT":
        this.ev.connect(arg);
        return;
      case "RS+":
        this.subArgs(splitArgs(arg), false);
        return;
      case "LS+":
        this.subArgs(splitArgs(arg), true);
        return;
      case "RS-":
      case "LS-":
        this.unsubArgs(splitArgs(arg));
        return;
      case "RMSG":
        this.msgArgs(splitArgs(arg), false, false);
        return;
      case "HMSG":
        this.msgArgs(splitArgs(arg), true, false);
        return;
      case "LMSG":
        this.msgArgs(splitArgs(arg), true, true);
        return;
      default:
        if (line.trim() === "") return;
        throw new RouteProtocolError(`unknown protocol operation ${JSON.stringify(op.slice(0, 32))}`);
    }
  }

  /** The leaf dialect's account-less ops, read as their route forms with the bound account. */
  private leafOp(op: string, arg: string): boolean {
    const args = [this.leafAccount!, ...splitArgs(arg)];
    if (op === "LS+") this.subArgs(args, false);
    else if (op === "LS-") this.unsubArgs(args);
    else if (op === "LMSG") this.msgArgs(args, false, false);
    else if (op === "HMSG") this.msgArgs(args, true, false);
    else if (op === "RS+" || op === "RS-" || op === "RMSG")
      throw new RouteProtocolError(`${op} on a leaf node connection`);
    else return false;
    return true;
  }

  private subArgs(args: string[], hasOrigin: boolean): void {
    const a = hasOrigin ? args.slice(1) : args;
    if (a.length === 2) {
      this.ev.sub(a[0]!, a[1]!, null, 1);
      return;
    }
    if (a.length === 4) {
      const weight = parseSize(a[3]!);
      if (weight < 0) throw new RouteProtocolError(`bad queue weight in ${args.join(" ")}`);
      this.ev.sub(a[0]!, a[1]!, a[2]!, weight);
      return;
    }
    throw new RouteProtocolError(`processRemoteSub Parse Error: '${args.join(" ")}'`);
  }

  private unsubArgs(args: string[]): void {
    if (args.length === 2) {
      this.ev.unsub(args[0]!, args[1]!, null);
      return;
    }
    if (args.length === 3) {
      this.ev.unsub(args[0]!, args[1]!, args[2]!);
      return;
    }
    throw new RouteProtocolError(`processRemoteUnsub parse error: '${args.join(" ")}'`);
  }

  /**
   * `[origin] account subject [reply | + reply q... | '|' q...] [hdr] size` (route.go processRoutedMsgArgs,
   * processRoutedHeaderMsgArgs; LMSG always carries the header size, 0 when there is none).
   */
  private msgArgs(all: string[], withHeader: boolean, hasOrigin: boolean): void {
    const origin = hasOrigin ? (all[0] ?? null) : null;
    const args = hasOrigin ? all.slice(1) : all;
    const sizes = withHeader ? 2 : 1;
    if (args.length < 2 + sizes)
      throw new RouteProtocolError(`processRoutedMsgArgs Parse Error: '${all.join(" ")}'`);
    const middle = args.slice(2, args.length - sizes);
    let reply: string | null = null;
    let queues: string[] | null = null;
    if (middle.length === 1) reply = middle[0]!;
    else if (middle.length > 1) {
      const ind = middle[0];
      if (ind === "+") {
        reply = middle[1]!;
        queues = middle.slice(2);
      } else if (ind === "|") queues = middle.slice(1);
      else throw new RouteProtocolError(`processRoutedMsgArgs Bad or Missing Reply Indicator: '${ind}'`);
    }
    const total = parseSize(args[args.length - 1]!);
    const hdrLen = withHeader ? parseSize(args[args.length - 2]!) : 0;
    if (total < 0 || hdrLen < 0 || hdrLen > total)
      throw new RouteProtocolError(`processRoutedMsgArgs Bad or Missing Size: '${all.join(" ")}'`);
    if (total > MAX_ROUTED_MSG) throw new RouteProtocolError("maximum payload exceeded");
    const msg: RoutedMsg = {
      account: args[0]!,
      subject: args[1]!,
      reply,
      queues: queues !== null && queues.length > 0 ? queues : null,
      origin,
      headers: null,
      payload: EMPTY,
    };
    this.pending = { msg, hdrLen, total };
  }
}

const EMPTY = Buffer.alloc(0);

function splitArgs(arg: string): string[] {
  // Peers send single spaces: the plain split is the fast path; tabs or runs of spaces take the general one.
  const fast = arg.split(" ");
  let clean = true;
  for (let i = 0; i < fast.length; i++) {
    const t = fast[i]!;
    if (t.length === 0 || t.includes("\t")) {
      clean = false;
      break;
    }
  }
  return clean ? fast : arg.split(/[ \t]+/).filter((t) => t.length > 0);
}

/** nats-server parseSize: decimal digits only, -1 otherwise. */
function parseSize(s: string): number {
  if (s.length === 0 || s.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
