// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) for record checksums: Node's zlib.crc32 where the
// runtime has it (20.15+, 22.2+), else an equivalent table-driven version.

import * as zlib from "node:zlib";

const TABLE = buildTable();

function buildTable(): Int32Array {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** Table-driven CRC-32 of buf[start, end), continuing from `crc` (0 to start). */
export function crc32Table(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type NativeCrc32 = (data: Uint8Array, value?: number) => number;
const native: NativeCrc32 | undefined = (zlib as { crc32?: NativeCrc32 }).crc32;

/** CRC-32 of buf[start, end) as an unsigned 32-bit number. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  if (native !== undefined) return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
  return crc32Table(buf, start, end);
}
