// Binary layout of the file store's log records (messages, tombstones, erasures, floors) and their
// CRC-32 check. Little-endian; one record = one contiguous, self-delimiting, checksummed frame.
//
//   0 u32 record length (whole record, checksum included)   4 u8 kind   5 u8 flags   6 u16 subject bytes
//   8 u64 seq   16 u64 ts ms   24 u32 ts nanos-in-ms   28 u32 headers bytes   [32 u64 ttl ms if FLAG_TTL]
//   then subject (UTF-8), headers, payload, and a u32 CRC-32 of everything before it.

import { crc32 } from "./crc32.js";
import type { StoredMessage } from "./store.js";

export const KIND_MSG = 1;
/** A single removal of `seq`. */
export const KIND_TOMBSTONE = 2;
/** A message overwritten in place by erase (same length, body zeroed); `seq` stays known. */
export const KIND_ERASED = 3;
/** Every sequence below `seq` is gone (purge, compact, removal of the first message). */
export const KIND_FLOOR = 4;

const FLAG_HEADERS = 1;
const FLAG_TTL = 2;
export const HEADER_LEN = 32;
const CRC_LEN = 4;
/** Length of a tombstone or floor record (and the smallest valid record). */
export const MIN_RECORD_LEN = HEADER_LEN + CRC_LEN;
const TWO_32 = 2 ** 32;

function writeU53(buf: Buffer, off: number, v: number): void {
  buf.writeUInt32LE(v % TWO_32, off);
  buf.writeUInt32LE(Math.floor(v / TWO_32), off + 4);
}

function readU53(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) * TWO_32;
}

function seal(buf: Buffer): Buffer {
  buf.writeUInt32LE(crc32(buf, 0, buf.length - CRC_LEN), buf.length - CRC_LEN);
  return buf;
}

export function encodeMessage(
  seq: number,
  subject: string,
  headers: Buffer | null,
  payload: Buffer,
  tsMs: number,
  tsNanos: number,
  ttl: number,
): Buffer {
  const subjectLen = Buffer.byteLength(subject);
  const headersLen = headers?.length ?? 0;
  const fixed = HEADER_LEN + (ttl > 0 ? 8 : 0);
  const len = fixed + subjectLen + headersLen + payload.length + CRC_LEN;
  const buf = Buffer.allocUnsafe(len);
  buf.writeUInt32LE(len, 0);
  buf[4] = KIND_MSG;
  buf[5] = (headersLen > 0 ? FLAG_HEADERS : 0) | (ttl > 0 ? FLAG_TTL : 0);
  buf.writeUInt16LE(subjectLen, 6);
  writeU53(buf, 8, seq);
  writeU53(buf, 16, tsMs);
  buf.writeUInt32LE(tsNanos, 24);
  buf.writeUInt32LE(headersLen, 28);
  if (ttl > 0) writeU53(buf, HEADER_LEN, ttl);
  let off = fixed + buf.write(subject, fixed, "utf8");
  if (headers !== null) off += headers.copy(buf, off);
  payload.copy(buf, off);
  return seal(buf);
}

/** Tombstone or floor record. */
export function encodeMarker(kind: typeof KIND_TOMBSTONE | typeof KIND_FLOOR, seq: number): Buffer {
  const buf = Buffer.alloc(MIN_RECORD_LEN);
  buf.writeUInt32LE(MIN_RECORD_LEN, 0);
  buf[4] = kind;
  writeU53(buf, 8, seq);
  return seal(buf);
}

/** The replacement for an erased message record: same length, so it can be written in place. */
export function encodeErased(seq: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  buf.writeUInt32LE(length, 0);
  buf[4] = KIND_ERASED;
  writeU53(buf, 8, seq);
  return seal(buf);
}

/**
 * Checks the record at buf[off..end): returns its length when it is complete, well-formed and its
 * checksum matches, else 0 (torn, truncated or corrupt).
 */
export function validRecordLength(buf: Buffer, off: number, end: number): number {
  if (end - off < MIN_RECORD_LEN) return 0;
  const len = buf.readUInt32LE(off);
  if (len < MIN_RECORD_LEN || len > end - off) return 0;
  const kind = buf[off + 4];
  if (kind !== KIND_MSG && kind !== KIND_TOMBSTONE && kind !== KIND_ERASED && kind !== KIND_FLOOR) return 0;
  if (crc32(buf, off, off + len - CRC_LEN) !== buf.readUInt32LE(off + len - CRC_LEN)) return 0;
  if (kind === KIND_MSG) {
    const fixed = HEADER_LEN + (buf[off + 5]! & FLAG_TTL ? 8 : 0);
    if (fixed + buf.readUInt16LE(off + 6) + buf.readUInt32LE(off + 28) + CRC_LEN > len) return 0;
  }
  return len;
}

export function recordKind(buf: Buffer, off: number): number {
  return buf[off + 4]!;
}

export function recordSeq(buf: Buffer, off: number): number {
  return readU53(buf, off + 8);
}

/** Accounted size of a message from its subject, headers and payload byte lengths. */
export type SizeOf = (subjectBytes: number, headersLen: number, payloadLen: number) => number;

/** What recovery keeps of a message record (its index entry), without decoding the payload. */
export interface MessageMeta<B> {
  seq: number;
  subject: string;
  ts: number;
  tsNanos: number;
  ttl: number;
  size: number;
  block: B;
  offset: number;
  length: number;
}

/** Builds the index entry of the (validated) message record at buf[off] in one allocation. */
export function decodeMeta<B>(buf: Buffer, off: number, block: B, sizeOf: SizeOf): MessageMeta<B> {
  const len = buf.readUInt32LE(off);
  const hasTtl = (buf[off + 5]! & FLAG_TTL) !== 0;
  const fixed = HEADER_LEN + (hasTtl ? 8 : 0);
  const subjectLen = buf.readUInt16LE(off + 6);
  const headersLen = buf.readUInt32LE(off + 28);
  return {
    seq: readU53(buf, off + 8),
    subject: buf.toString("utf8", off + fixed, off + fixed + subjectLen),
    ts: readU53(buf, off + 16),
    tsNanos: buf.readUInt32LE(off + 24),
    ttl: hasTtl ? readU53(buf, off + HEADER_LEN) : 0,
    size: sizeOf(subjectLen, headersLen, len - fixed - subjectLen - headersLen - CRC_LEN),
    block,
    offset: off,
    length: len,
  };
}

/** Decodes a (validated) message record at buf[off]; headers and payload are views into buf. */
export function decodeMessage(buf: Buffer, off: number, subject?: string): StoredMessage {
  const len = buf.readUInt32LE(off);
  const hasTtl = (buf[off + 5]! & FLAG_TTL) !== 0;
  const fixed = off + HEADER_LEN + (hasTtl ? 8 : 0);
  const subjectLen = buf.readUInt16LE(off + 6);
  const headersLen = buf.readUInt32LE(off + 28);
  const hStart = fixed + subjectLen;
  const pStart = hStart + headersLen;
  return {
    seq: readU53(buf, off + 8),
    subject: subject ?? buf.toString("utf8", fixed, hStart),
    headers: headersLen > 0 ? buf.subarray(hStart, pStart) : null,
    payload: buf.subarray(pStart, off + len - CRC_LEN),
    ts: readU53(buf, off + 16),
    tsNanos: buf.readUInt32LE(off + 24),
    ttl: hasTtl ? readU53(buf, off + HEADER_LEN) : 0,
  };
}
