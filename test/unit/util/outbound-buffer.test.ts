// OutboundBuffer: lazily allocated, growing chunks; bytes come out in order however they were appended.

import { describe, expect, it } from "vitest";
import { COPY_LIMIT, OutboundBuffer } from "../../../src/util/outbound-buffer.js";

describe("OutboundBuffer", () => {
  it("allocates nothing until written, and drops a small rest after take()", () => {
    const out = new OutboundBuffer();
    expect(out.buf.length).toBe(0);
    expect(out.take()).toEqual([]);
    out.appendAscii("INFO {} \r\n");
    expect(out.buf.length).toBe(1024);
    expect(Buffer.concat(out.take()).toString()).toBe("INFO {} \r\n");
    expect(out.buf.length).toBe(0);
    expect(out.pending).toBe(0);
  });

  it("keeps every byte in order across growing chunks and by-reference payloads", () => {
    const out = new OutboundBuffer(8 * 1024);
    const expected: Buffer[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(1 + (i % 37), i & 0xff);
      out.append(b);
      expected.push(b);
      sizes.push(out.buf.length);
    }
    const big = Buffer.alloc(COPY_LIMIT, 7);
    out.append(big);
    expected.push(big);
    out.appendAscii("tail");
    expected.push(Buffer.from("tail"));
    const total = expected.reduce((n, b) => n + b.length, 0);
    expect(out.pending).toBe(total);
    const taken = out.take();
    expect(taken).toContain(big);
    expect(Buffer.concat(taken).equals(Buffer.concat(expected))).toBe(true);
    // Chunks doubled from 1 KiB up to the configured size and no further.
    expect(sizes[0]).toBe(1024);
    expect(Math.max(...sizes)).toBe(8 * 1024);
  });

  it("takes a write larger than any chunk in one piece", () => {
    const out = new OutboundBuffer();
    out.ensure(5000);
    expect(out.buf.length - out.pos).toBeGreaterThanOrEqual(5000);
  });
});
