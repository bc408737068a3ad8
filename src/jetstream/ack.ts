// Ack subjects and ack payloads of JetStream consumers: the reply subject every delivered message carries
// (`$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`, nats-server jsAckT) and the
// acknowledgement kinds a client sends back to it (+ACK, -NAK, +WPI, +NXT, +TERM).

import { parseGoDuration } from "./consumer-duration.js";

export const ACK_PREFIX = "$JS.ACK.";
/** `$JS.ACK` plus stream, consumer and the five numbers. */
const ACK_REPLY_TOKENS = 9;

/** `$JS.ACK.<stream>.<consumer>.` : the part of every ack reply that is fixed for one consumer. */
export function ackReplyPrefix(stream: string, consumer: string): string {
  return `${ACK_PREFIX}${stream}.${consumer}.`;
}

/** The subject a consumer subscribes to for all of its acks. */
export function ackSubscriptionSubject(stream: string, consumer: string): string {
  return `${ackReplyPrefix(stream, consumer)}*.*.*.*.*`;
}

/**
 * The reply subject of one delivery. `tsMs`/`tsNanos` is the message's store time; the subject carries
 * it as Unix nanoseconds, written without a bigint (the millisecond part then six nanosecond digits).
 */
export function buildAckReply(
  prefix: string,
  deliveryCount: number,
  streamSeq: number,
  deliverySeq: number,
  tsMs: number,
  tsNanos: number,
  pending: number,
): string {
  const ts = tsMs > 0 ? `${tsMs}${String(tsNanos).padStart(6, "0")}` : String(tsNanos);
  return `${prefix}${deliveryCount}.${streamSeq}.${deliverySeq}.${ts}.${pending}`;
}

/** What an ack subject says about the delivery it acknowledges. */
export interface AckReplyInfo {
  streamSeq: number;
  deliverySeq: number;
  deliveryCount: number;
}

/**
 * Parses an ack subject (nats-server ackReplyInfo). Returns null when it is not a well-formed ack subject;
 * nats-server would read a malformed number as 2^64-1, which can never match a delivery, so refusing the
 * whole ack is the same outcome without the risk.
 */
export function parseAckReply(subject: string): AckReplyInfo | null {
  if (!subject.startsWith(ACK_PREFIX)) return null;
  const tokens = subject.split(".");
  if (tokens.length !== ACK_REPLY_TOKENS) return null;
  const deliveryCount = parseAckNumber(tokens[4]!);
  const streamSeq = parseAckNumber(tokens[5]!);
  const deliverySeq = parseAckNumber(tokens[6]!);
  if (deliveryCount < 0 || streamSeq < 0 || deliverySeq < 0) return null;
  return { streamSeq, deliverySeq, deliveryCount };
}

/** A non-negative decimal, or -1 when the token is empty or holds anything else (parseAckReplyNum). */
function parseAckNumber(token: string): number {
  if (token.length === 0 || token.length > 16) return -1;
  let n = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

export type AckKind = "ack" | "nak" | "progress" | "next" | "term" | "unknown";

export interface ParsedAck {
  kind: AckKind;
  /** -NAK: nanoseconds to wait before redelivery; null for a plain NAK (or an unreadable delay). */
  nakDelayNanos: number | null;
  /** -NAK with a delay that could not be read (nats-server logs it and treats it as a plain NAK). */
  badNakDelay: string | null;
  /** +NXT: the pull request that follows the marker (may be empty = one message). */
  nextRequest: Buffer | null;
}

const ACK = Buffer.from("+ACK");
const OK = Buffer.from("+OK");
const NAK = Buffer.from("-NAK");
const WPI = Buffer.from("+WPI");
const NXT = Buffer.from("+NXT");
const TERM = Buffer.from("+TERM");

/**
 * Reads an ack payload as nats-server's processAck does: empty, +ACK and +OK acknowledge; +NXT and -NAK
 * are prefixes (a request or a delay may follow); +WPI must be exact. +TERM may carry a reason after it
 * (nats-server 2.10 accepts `+TERM <reason>`; 2.9 clients send the bare marker). Anything else is ignored.
 */
export function parseAck(payload: Buffer): ParsedAck {
  const result: ParsedAck = { kind: "unknown", nakDelayNanos: null, badNakDelay: null, nextRequest: null };
  if (payload.length === 0 || payload.equals(ACK) || payload.equals(OK)) {
    result.kind = "ack";
  } else if (startsWith(payload, NXT)) {
    result.kind = "next";
    result.nextRequest = payload.subarray(NXT.length);
  } else if (startsWith(payload, NAK)) {
    result.kind = "nak";
    readNakDelay(payload.subarray(NAK.length), result);
  } else if (payload.equals(WPI)) {
    result.kind = "progress";
  } else if (payload.equals(TERM) || (startsWith(payload, TERM) && payload[TERM.length] === 0x20)) {
    result.kind = "term";
  }
  return result;
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** `-NAK {"delay": <nanos>}` or `-NAK <go duration>`. */
function readNakDelay(rest: Buffer, into: ParsedAck): void {
  const arg = rest.toString("utf8").trim();
  if (arg.length === 0) return;
  if (arg[0] === "{") {
    const delay = parseNakJson(arg);
    if (delay === null) into.badNakDelay = arg;
    else into.nakDelayNanos = delay;
    return;
  }
  const d = parseGoDuration(arg);
  if (d === null) into.badNakDelay = arg;
  else into.nakDelayNanos = d;
}

/** ConsumerNakOptions: `{"delay": <int64 nanos>}`; an absent delay is 0, like Go's zero value. */
function parseNakJson(text: string): number | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const delay = (parsed as Record<string, unknown>).delay;
  if (delay === undefined || delay === null) return 0;
  if (typeof delay !== "number" || !Number.isInteger(delay)) return null;
  return delay;
}
