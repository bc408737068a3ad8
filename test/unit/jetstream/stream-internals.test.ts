// Small parts of the stream path: publish header parsing, the msg-id window, Go-style JSON, metadata files.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { goJson, isEmptyRequest } from "../../../src/jetstream/go-json.js";
import { MsgIdWindow } from "../../../src/jetstream/stream-dedupe.js";
import { parseRfc3339Nano, readStreamMeta, writeStreamMeta } from "../../../src/jetstream/stream-meta.js";
import { readPubHeaders } from "../../../src/jetstream/stream-publish.js";

describe("readPubHeaders", () => {
  it("reads the JetStream headers, first occurrence, exact case", () => {
    const block = Buffer.from(
      "NATS/1.0\r\nnats-msg-id: lower\r\nNats-Msg-Id:  id-1\r\nNats-Msg-Id: id-2\r\n" +
        "Nats-Expected-Last-Sequence: 7\r\nNats-Rollup: sub\r\nOther: x\r\n\r\n",
    );
    expect(readPubHeaders(block)).toEqual({
      msgId: "id-1",
      expectedStream: "",
      expectedLastSeq: "7",
      expectedLastSubjectSeq: "",
      expectedLastMsgId: "",
      rollup: "sub",
    });
  });
});

describe("MsgIdWindow", () => {
  it("remembers ids for the window, then forgets them", () => {
    let now = 1000;
    const w = new MsgIdWindow(100, () => now);
    w.add("a", 1);
    now = 1050;
    w.add("b", 2);
    expect([w.lookup("a"), w.lookup("b")]).toEqual([1, 2]);
    now = 1100;
    expect([w.lookup("a"), w.lookup("b")]).toEqual([undefined, 2]);
    w.setWindow(10);
    expect(w.size).toBe(0);
    w.clear();
  });
});

describe("goJson", () => {
  it("escapes like Go's json.Marshal", () => {
    expect(goJson({ s: "a.> <b> & \u2028" })).toBe('{"s":"a.\\u003e \\u003cb\\u003e \\u0026 \\u2028"}');
    expect(goJson({ s: "plain" })).toBe('{"s":"plain"}');
  });

  it("knows nats-server's empty requests", () => {
    expect(["", "{}", " { } ", '{"a":1}', "[]", "x"].map((b) => isEmptyRequest(Buffer.from(b)))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("stream metadata", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("writes meta.inf in nats-server's shape and reads it back with nanosecond created times", () => {
    const dir = mkdtempSync(join(tmpdir(), "stream-meta-"));
    dirs.push(dir);
    writeStreamMeta(
      dir,
      { ms: Date.UTC(2024, 0, 2, 3, 4, 5, 678), nanos: 901_234 },
      { name: "S", max_msgs: -1 },
    );
    expect(readFileSync(join(dir, "meta.inf"), "utf8")).toBe(
      '{"Created":"2024-01-02T03:04:05.678901234Z","name":"S","max_msgs":-1}',
    );
    expect(readStreamMeta(dir)).toEqual({
      created: { ms: Date.UTC(2024, 0, 2, 3, 4, 5, 678), nanos: 901_234 },
      config: { name: "S", max_msgs: -1 },
    });
    writeFileSync(join(dir, "meta.inf"), '{"Created":"2024-01-02T03:04:05Z","name":"T"}');
    expect(() => readStreamMeta(dir)).toThrow(/checksum/);
  });

  it("parses RFC 3339 times with and without fractions", () => {
    expect(parseRfc3339Nano("2024-01-02T03:04:05Z")).toEqual({ ms: Date.UTC(2024, 0, 2, 3, 4, 5), nanos: 0 });
    expect(parseRfc3339Nano("2024-01-02T03:04:05.5+01:00")).toEqual({
      ms: Date.UTC(2024, 0, 2, 2, 4, 5, 500),
      nanos: 0,
    });
    expect(parseRfc3339Nano("yesterday")).toBeNull();
  });
});
