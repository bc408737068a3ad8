// Encodes one MSG/HMSG frame into a connection's outbound buffer: the hot path of every delivery.
// Small frames are written in place (TypedArray.set beats Buffer.copy for short runs); large payloads
// are queued by reference.

import { subjectHasWildcard } from "../../core/subject.js";
import { COPY_LIMIT, type OutboundBuffer, writeUint } from "../../util/outbound-buffer.js";

/** What the encoder needs of a subscription. */
export interface MsgTarget {
  /** The subject as subscribed. */
  readonly subject: string;
  /** The sid as bytes, written into every MSG line. */
  readonly sidBytes: Buffer;
  /** `<subject> <sid> ` pre-encoded for a literal subscription (see lineStartOf), else null. */
  readonly lineStart: Buffer | null;
}

/**
 * A literal subscription always receives its own subject, so the middle of its MSG line never changes:
 * encoding it once saves a utf8 encode of the subject per delivery. Wildcard subscriptions get null.
 */
export function lineStartOf(subject: string, sid: string): Buffer | null {
  return subjectHasWildcard(subject) ? null : Buffer.from(`${subject} ${sid} `, "utf8");
}

/**
 * Appends `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n`, or the HMSG form when `headers` is
 * given (the caller passes null for a client that did not announce header support: nats-server then
 * delivers the payload alone). Returns the message size counted in stats (headers + payload).
 */
export function writeMsg(
  out: OutboundBuffer,
  subject: string,
  target: MsgTarget,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
): number {
  const hlen = headers === null ? 0 : headers.length;
  const plen = payload.length;
  const total = hlen + plen;
  const inline = total < COPY_LIMIT;
  const sidBytes = target.sidBytes;
  out.ensure(
    40 + (subject.length + (reply === null ? 0 : reply.length)) * 3 + sidBytes.length + (inline ? total : 0),
  );
  const buf = out.buf;
  let p = out.pos;
  if (headers !== null) buf[p++] = 72; // H
  buf[p] = 77; // M
  buf[p + 1] = 83; // S
  buf[p + 2] = 71; // G
  buf[p + 3] = 32;
  p += 4;
  const lineStart = target.lineStart;
  if (lineStart !== null && subject === target.subject) {
    buf.set(lineStart, p);
    p += lineStart.length;
  } else {
    p += buf.utf8Write(subject, p);
    buf[p++] = 32;
    buf.set(sidBytes, p);
    p += sidBytes.length;
    buf[p++] = 32;
  }
  if (reply !== null) {
    p += buf.utf8Write(reply, p);
    buf[p++] = 32;
  }
  if (headers !== null) {
    p = writeUint(buf, p, hlen);
    buf[p++] = 32;
  }
  p = writeUint(buf, p, total);
  buf[p++] = 13;
  buf[p++] = 10;
  if (inline) {
    if (headers !== null) {
      buf.set(headers, p);
      p += hlen;
    }
    buf.set(payload, p);
    p += plen;
    buf[p++] = 13;
    buf[p++] = 10;
    out.pos = p;
    return total;
  }
  out.pos = p;
  if (headers !== null) out.append(headers);
  out.append(payload);
  out.ensure(2);
  out.buf[out.pos++] = 13;
  out.buf[out.pos++] = 10;
  return total;
}
