// Drives the NATS protocol parser in unit tests: records every callback as a plain tuple so whole
// streams can be compared with toEqual, however the bytes were chunked.

import {
  NatsParser,
  type ParseError,
  type ParserHandler,
  type ParserLimits,
} from "../../src/protocols/nats/parser.js";

export type ParsedEvent =
  | ["pub", string, string | null, string]
  | ["hpub", string, string | null, string, string]
  | ["sub", string, string | null, string]
  | ["unsub", string, number]
  | ["ping"]
  | ["pong"]
  | ["connect", string]
  | ["info", string]
  | ["error", ParseError];

export const DEFAULT_LIMITS: ParserLimits = { maxControlLine: 4096, maxPayload: 1024 * 1024 };

/** A parser whose callbacks append to `events`; payloads are kept as latin1 strings (binary safe). */
export function recordingParser(limits: ParserLimits = DEFAULT_LIMITS): {
  parser: NatsParser;
  events: ParsedEvent[];
} {
  const events: ParsedEvent[] = [];
  const handler: ParserHandler = {
    onPub: (subject, reply, payload) => events.push(["pub", subject, reply, payload.toString("latin1")]),
    onHPub: (subject, reply, headers, payload) =>
      events.push(["hpub", subject, reply, headers.toString("latin1"), payload.toString("latin1")]),
    onSub: (subject, queue, sid) => events.push(["sub", subject, queue, sid]),
    onUnsub: (sid, max) => events.push(["unsub", sid, max]),
    onPing: () => events.push(["ping"]),
    onPong: () => events.push(["pong"]),
    onConnect: (json) => events.push(["connect", json]),
    onInfo: (json) => events.push(["info", json]),
    onParseError: (error) => events.push(["error", error]),
  };
  return { parser: new NatsParser(handler, { ...limits }), events };
}

/**
 * Feeds the chunks in order, each as a fresh Buffer that is scribbled over once parse() returns:
 * a parser that keeps a reference into a chunk it was given (instead of copying) then sees garbage.
 */
export function parseChunks(chunks: readonly (string | Buffer)[], limits?: ParserLimits): ParsedEvent[] {
  const { parser, events } = recordingParser(limits);
  for (const c of chunks) {
    const chunk = Buffer.from(typeof c === "string" ? Buffer.from(c, "latin1") : c);
    parser.parse(chunk);
    chunk.fill(0xee);
  }
  return events;
}

/** Splits `data` into chunks at the given offsets (ascending, within bounds). */
export function splitAt(data: Buffer, offsets: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const o of offsets) {
    out.push(data.subarray(prev, o));
    prev = o;
  }
  out.push(data.subarray(prev));
  return out;
}

/** `PUB subject [reply] <n>\r\n<payload>\r\n` with the size computed from the payload bytes. */
export function pubFrame(subject: string, reply: string | null, payload: string): string {
  const n = Buffer.byteLength(payload, "latin1");
  return `PUB ${subject} ${reply === null ? "" : `${reply} `}${n}\r\n${payload}\r\n`;
}

/** `HPUB subject [reply] <hdr> <total>\r\n<headers><payload>\r\n` with sizes computed. */
export function hpubFrame(subject: string, reply: string | null, headers: string, payload: string): string {
  const h = Buffer.byteLength(headers, "latin1");
  const t = h + Buffer.byteLength(payload, "latin1");
  return `HPUB ${subject} ${reply === null ? "" : `${reply} `}${h} ${t}\r\n${headers}${payload}\r\n`;
}
