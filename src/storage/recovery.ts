// File store recovery: scans every block, verifies each record's checksum, cuts a torn or corrupt
// tail, skips a corrupt record that valid ones follow, and returns what the index is rebuilt from.

import * as fs from "node:fs";
import * as path from "node:path";
import { BLOCK_SUFFIX, BlockFile } from "./block-file.js";
import {
  decodeMeta,
  KIND_ERASED,
  KIND_FLOOR,
  KIND_MSG,
  KIND_TOMBSTONE,
  type MessageMeta,
  MIN_RECORD_LEN,
  recordKind,
  recordSeq,
  type SizeOf,
  validRecordLength,
} from "./record-codec.js";

export type RecoveredMessage = MessageMeta<BlockFile>;

export interface Recovery {
  /** Ascending by index; each with its seq range, tombstones and floors filled in (live = 0). */
  blocks: BlockFile[];
  /** Every message record found, ascending by sequence (removed ones included). */
  messages: RecoveredMessage[];
  tombstoned: Set<number>;
  /** Highest floor seen: everything below it is gone. */
  floor: number;
  /** Highest sequence any record names. */
  maxSeq: number;
  /** Time of the newest message record. */
  lastTs: number;
  lastTsNanos: number;
  lost: { records: number; bytes: number };
}

const BLOCK_NAME = /^(\d{10})\.blk$/;

function listBlocks(msgDir: string): number[] {
  const indexes: number[] = [];
  for (const name of fs.readdirSync(msgDir)) {
    const m = BLOCK_NAME.exec(name);
    if (m !== null) indexes.push(Number(m[1]));
    else if (name.endsWith(`${BLOCK_SUFFIX}.tmp`)) fs.rmSync(path.join(msgDir, name), { force: true });
  }
  return indexes.sort((a, b) => a - b);
}

/**
 * Decides what to do at a record that failed validation: skip it when its length field leads to a
 * valid record (damage in the middle), else report the tail as torn (-1).
 */
function skippableLength(buf: Buffer, off: number, end: number): number {
  if (end - off < 4) return -1;
  const len = buf.readUInt32LE(off);
  if (len < MIN_RECORD_LEN || off + len >= end) return -1;
  return validRecordLength(buf, off + len, end) > 0 ? len : -1;
}

function scanBlock(block: BlockFile, rec: Recovery, sizeOf: SizeOf): void {
  const buf = fs.readFileSync(block.path);
  const end = buf.length;
  let off = 0;
  let prevSeq = rec.messages.length > 0 ? rec.messages[rec.messages.length - 1]!.seq : 0;
  while (off < end) {
    const len = validRecordLength(buf, off, end);
    if (len === 0) {
      const skip = skippableLength(buf, off, end);
      rec.lost.records++;
      if (skip > 0) {
        rec.lost.bytes += skip;
        off += skip;
        continue;
      }
      rec.lost.bytes += end - off;
      fs.truncateSync(block.path, off);
      break;
    }
    const kind = recordKind(buf, off);
    const seq = recordSeq(buf, off);
    if (kind === KIND_MSG || kind === KIND_ERASED) {
      if (seq > prevSeq) {
        if (block.firstSeq === 0) block.firstSeq = seq;
        block.lastSeq = seq;
        prevSeq = seq;
        if (kind === KIND_MSG) {
          const meta = decodeMeta(buf, off, block, sizeOf);
          rec.messages.push(meta);
          rec.lastTs = meta.ts;
          rec.lastTsNanos = meta.tsNanos;
        }
      }
    } else if (kind === KIND_TOMBSTONE) {
      rec.tombstoned.add(seq);
      block.tombstones.push(seq);
    } else {
      rec.floor = Math.max(rec.floor, seq);
      block.floors.push(seq);
    }
    if (kind !== KIND_FLOOR) rec.maxSeq = Math.max(rec.maxSeq, seq);
    off += len;
  }
  block.setRecoveredSize(Math.min(off, end));
}

/**
 * Reads every block under msgDir; `sizeOf` gives each message's accounted size. Blocks come back
 * closed (no descriptor open).
 */
export function recoverBlocks(msgDir: string, sizeOf: SizeOf): Recovery {
  const rec: Recovery = {
    blocks: [],
    messages: [],
    tombstoned: new Set(),
    floor: 0,
    maxSeq: 0,
    lastTs: 0,
    lastTsNanos: 0,
    lost: { records: 0, bytes: 0 },
  };
  for (const index of listBlocks(msgDir)) {
    const block = new BlockFile(msgDir, index, 0);
    scanBlock(block, rec, sizeOf);
    rec.blocks.push(block);
  }
  return rec;
}
