// Outbound bytes of one connection, batched: small frames are copied into one growing chunk,
// large payloads are queued as their own slices (no copy). One take() per flush hands everything
// to the socket as few buffers as possible.

const DEFAULT_CHUNK = 32 * 1024;
/** The first chunk of a connection: an idle one only ever writes a few small lines (INFO, PONG). */
const FIRST_CHUNK = 1024;
/** Payloads at least this big are queued by reference instead of copied. */
export const COPY_LIMIT = 16 * 1024;
/** Nothing allocated yet (never written into: ensure() replaces it before any write). */
const NO_CHUNK = Buffer.alloc(0);

export class OutboundBuffer {
  buf: Buffer = NO_CHUNK;
  pos = 0;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /**
   * Size of the next chunk: chunks are allocated on first use and double up to chunkSize, so an idle
   * connection holds no outbound memory and a busy one soon writes into full-size chunks.
   */
  private nextChunk = FIRST_CHUNK;

  constructor(private readonly chunkSize = DEFAULT_CHUNK) {}

  /** Bytes queued and not yet taken. */
  get pending(): number {
    return this.chunkBytes + this.pos;
  }

  /** Makes room for `n` more bytes at `buf[pos]`. */
  ensure(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    if (this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.chunkBytes += this.pos;
    }
    this.buf = Buffer.allocUnsafe(Math.max(this.nextChunk, n));
    this.pos = 0;
    if (this.nextChunk < this.chunkSize) this.nextChunk = Math.min(this.nextChunk * 2, this.chunkSize);
  }

  /** Appends bytes: copied when small, queued by reference when large. */
  append(data: Buffer): void {
    const n = data.length;
    if (n >= COPY_LIMIT) {
      if (this.pos > 0) {
        this.chunks.push(this.buf.subarray(0, this.pos));
        this.chunkBytes += this.pos;
        this.buf = this.buf.subarray(this.pos);
        this.pos = 0;
      }
      this.chunks.push(data);
      this.chunkBytes += n;
      return;
    }
    this.ensure(n);
    data.copy(this.buf, this.pos);
    this.pos += n;
  }

  /** Appends a latin1/ASCII string (protocol lines). */
  appendAscii(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.latin1Write(s, this.pos);
  }

  /** Takes everything queued; the caller writes it and must not expect it to be reused. */
  take(): Buffer[] {
    const out = this.chunks;
    if (this.pos > 0) {
      out.push(this.buf.subarray(0, this.pos));
      // The rest of the current chunk stays usable: the taken part is never written again. A small rest is
      // dropped; the next chunk is allocated only when something is written.
      this.buf = this.buf.length - this.pos >= 1024 ? this.buf.subarray(this.pos) : NO_CHUNK;
      this.pos = 0;
    }
    this.chunks = [];
    this.chunkBytes = 0;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.chunkBytes = 0;
    this.pos = 0;
  }
}

/** Writes a non-negative integer as ASCII digits at `pos`; returns the new position. */
export function writeUint(buf: Buffer, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = 48 + n;
    return pos + 1;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = pos + digits - 1;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    buf[p--] = 48 + (n - q * 10);
    n = q;
  }
  buf[p] = 48 + n;
  return pos + digits;
}
