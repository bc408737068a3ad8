// The ordered block files of one file store: which block takes writes, when to start a new one,
// which dead blocks can go (and what a dead block must keep), and bounded open descriptors.

import { fsyncDir } from "./atomic-file.js";
import { BlockFile } from "./block-file.js";
import { encodeMarker, KIND_FLOOR, KIND_TOMBSTONE } from "./record-codec.js";

const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
/** Descriptors kept open for reading old blocks, besides the active block's. */
const MAX_OPEN_READ_BLOCKS = 8;

/*
 * Why removals stay correct across block deletion: a tombstone or floor is appended to the active
 * (newest) block, so it only ever names sequences in its own block or older ones. A dead block is
 * deleted outright when it is the oldest (nothing older remains for its records to cover);
 * a dead block in the middle is rewritten down to the tombstones and floors that still cover
 * messages in older blocks. The active block is never deleted: it holds the newest record, from
 * which recovery learns the last sequence.
 */
export class BlockSet {
  private readonly blocks: BlockFile[];
  active: BlockFile | null;
  private readonly blockSize: number;
  private readonly openForRead: BlockFile[] = [];
  /** Blocks were created or deleted since the directory was last fsynced. */
  private dirDirty = false;

  constructor(
    private readonly dir: string,
    recovered: BlockFile[],
    blockSize: number | undefined,
    private readonly syncAlways: boolean,
  ) {
    this.blocks = recovered;
    this.active = recovered.length > 0 ? recovered[recovered.length - 1]! : null;
    this.blockSize = blockSize !== undefined && blockSize > 0 ? blockSize : DEFAULT_BLOCK_SIZE;
  }

  get count(): number {
    return this.blocks.length;
  }

  /** The block the next record of `length` bytes goes to, starting a new one when full. */
  forWrite(length: number): BlockFile {
    const a = this.active;
    if (a !== null && (a.size === 0 || a.size + length <= this.blockSize)) return a;
    return this.startBlock();
  }

  private startBlock(): BlockFile {
    const prev = this.active;
    if (prev !== null) {
      // The old block's buffered records go out now; its descriptor joins the read pool.
      if (this.syncAlways) prev.sync();
      else prev.flush();
      this.noteOpen(prev);
    }
    const index = this.blocks.length > 0 ? this.blocks[this.blocks.length - 1]!.index + 1 : 1;
    const b = BlockFile.create(this.dir, index);
    this.blocks.push(b);
    this.active = b;
    this.dirDirty = true;
    if (this.syncAlways) this.syncDir();
    return b;
  }

  private syncDir(): void {
    fsyncDir(this.dir);
    this.dirDirty = false;
  }

  appendTombstone(seq: number): void {
    const b = this.forWrite(0);
    b.append(encodeMarker(KIND_TOMBSTONE, seq));
    b.tombstones.push(seq);
  }

  appendFloor(floor: number): void {
    const b = this.forWrite(0);
    b.append(encodeMarker(KIND_FLOOR, floor));
    b.floors.push(floor);
  }

  /**
   * Records a floor after a bulk removal and makes it durable before any block file goes, so a
   * crash cannot bring back purged messages. When nothing is left, a fresh block carries the floor
   * (it also remembers the last sequence) and all older blocks are deleted.
   */
  writeFloorDurably(floor: number, empty: boolean): void {
    if (empty) {
      const old = this.blocks.slice();
      this.active = null;
      const b = this.startBlock();
      b.append(encodeMarker(KIND_FLOOR, floor));
      b.floors.push(floor);
      b.sync();
      this.syncDir();
      for (const o of old) this.unlinkBlock(o);
      this.syncDir();
      return;
    }
    this.appendFloor(floor);
    this.active!.sync();
    this.retireDead();
  }

  /** Deletes dead blocks from the front and shrinks dead ones in the middle. */
  retireDead(): void {
    let removed = false;
    while (this.blocks.length > 1 && this.blocks[0]!.live === 0 && this.blocks[0] !== this.active) {
      this.unlinkBlock(this.blocks[0]!);
      removed = true;
    }
    for (let i = 1; i < this.blocks.length - 1; i++) {
      const b = this.blocks[i]!;
      if (b.live === 0 && b.firstSeq !== 0 && b !== this.active) {
        if (this.shrink(i)) {
          i--;
          removed = true;
        }
      }
    }
    if (removed) {
      this.dirDirty = true;
      if (this.syncAlways) this.syncDir();
    }
  }

  /** Rewrites dead block i to the records older blocks still need; returns true if it was deleted. */
  private shrink(i: number): boolean {
    const b = this.blocks[i]!;
    const older = this.blocks.slice(0, i).filter((o) => o.firstSeq !== 0);
    const covers = (seq: number) => older.some((o) => o.firstSeq <= seq && seq <= o.lastSeq);
    const tombstones = b.tombstones.filter(covers);
    const floors = older.length > 0 ? b.floors : [];
    if (tombstones.length === 0 && floors.length === 0) {
      this.unlinkBlock(b);
      return true;
    }
    const records = [
      ...tombstones.map((s) => encodeMarker(KIND_TOMBSTONE, s)),
      ...floors.map((f) => encodeMarker(KIND_FLOOR, f)),
    ];
    this.forgetOpen(b);
    b.rewrite(records);
    b.tombstones = tombstones;
    b.floors = floors;
    b.firstSeq = 0;
    b.lastSeq = 0;
    return false;
  }

  private unlinkBlock(b: BlockFile): void {
    this.forgetOpen(b);
    b.unlink();
    const i = this.blocks.indexOf(b);
    if (i >= 0) this.blocks.splice(i, 1);
  }

  read(b: BlockFile, offset: number, length: number): Buffer {
    if (b !== this.active && !b.isOpen) this.noteOpen(b);
    return b.read(offset, length);
  }

  /** Keeps at most MAX_OPEN_READ_BLOCKS descriptors of non-active blocks open (least recent closed). */
  private noteOpen(b: BlockFile): void {
    this.forgetOpen(b);
    this.openForRead.push(b);
    while (this.openForRead.length > MAX_OPEN_READ_BLOCKS) this.openForRead.shift()!.close();
  }

  private forgetOpen(b: BlockFile): void {
    const i = this.openForRead.indexOf(b);
    if (i >= 0) this.openForRead.splice(i, 1);
  }

  flushActive(): void {
    this.active?.flush();
  }

  /** fsyncs every block written since its last sync, and the directory if blocks came or went. */
  syncAll(): void {
    for (const b of this.blocks) if (b.isOpen || b.pendingBytes > 0) b.sync();
    if (this.dirDirty) this.syncDir();
  }

  /** syncAll() with the fsyncs on the thread pool; the directory (rarely dirty) is synced inline. */
  syncAllAsync(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const b of this.blocks) if (b.isOpen || b.pendingBytes > 0) pending.push(b.syncAsync());
    if (this.dirDirty) this.syncDir();
    return pending.length === 1 ? pending[0]! : Promise.all(pending).then(() => undefined);
  }

  closeAll(): void {
    this.syncAll();
    for (const b of this.blocks) b.close();
    this.openForRead.length = 0;
  }
}
