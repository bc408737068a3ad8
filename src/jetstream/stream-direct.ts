// Direct get (allow_direct, ADR-31): `$JS.API.DIRECT.GET.<stream>` with a JSON body and
// `$JS.API.DIRECT.GET.<stream>.<subject>` (last by subject) answered with the raw message and
// Nats-Stream/Nats-Subject/Nats-Sequence/Nats-Time-Stamp headers, or a status-only reply.

import type { Subscription } from "../core/subscription.js";
import { formatRfc3339Nano, type StoredMessage } from "../storage/store.js";
import { GoJsonError, parseJson } from "./go-json.js";
import type { Stream } from "./stream.js";
import { loadForGet, type MsgGetRequest, readMsgGetRequest } from "./stream-msg-get.js";

export const DIRECT_GET_PREFIX = "$JS.API.DIRECT.GET.";
/** nats-server subscribes direct gets in its system queue group so mirrors could share them. */
const DIRECT_GET_QUEUE = "_sys_";
const EMPTY = Buffer.alloc(0);

const status = (line: string) => Buffer.from(`NATS/1.0 ${line}\r\n\r\n`);
const EMPTY_REQUEST = status("408 Empty Request");
const MALFORMED_REQUEST = status("408 Malformed Request");
const BAD_REQUEST = status("408 Bad Request");
const NOT_FOUND = status("404 Message Not Found");

export function subscribeDirectGet(stream: Stream): Subscription[] {
  const client = stream.client;
  const base = `${DIRECT_GET_PREFIX}${stream.name}`;
  const byBody = client.subscribe(
    base,
    (_s, _subject, reply, _headers, payload) => {
      if (reply) directGet(stream, reply, payload);
    },
    DIRECT_GET_QUEUE,
  );
  const bySubject = client.subscribe(
    `${base}.>`,
    (_s, subject, reply, _headers, payload) => {
      if (reply) directGetLastBySubject(stream, subject, reply, payload);
    },
    DIRECT_GET_QUEUE,
  );
  return [byBody, bySubject];
}

function directGet(stream: Stream, reply: string, payload: Buffer): void {
  if (payload.length === 0) {
    send(stream, reply, EMPTY_REQUEST, EMPTY);
    return;
  }
  let req: MsgGetRequest;
  try {
    req = readMsgGetRequest(parseJson(payload));
  } catch (err) {
    if (err instanceof GoJsonError) {
      send(stream, reply, MALFORMED_REQUEST, EMPTY);
      return;
    }
    throw err;
  }
  if (req.seq === 0 && req.lastBySubject === "" && req.nextBySubject === "") {
    send(stream, reply, EMPTY_REQUEST, EMPTY);
    return;
  }
  if ((req.seq > 0 && req.lastBySubject !== "") || (req.lastBySubject !== "" && req.nextBySubject !== "")) {
    send(stream, reply, BAD_REQUEST, EMPTY);
    return;
  }
  answer(stream, reply, loadForGet(stream.store, req));
}

function directGetLastBySubject(stream: Stream, subject: string, reply: string, payload: Buffer): void {
  // This form takes no body; the subject after `$JS.API.DIRECT.GET.<stream>.` is the key.
  const key = subject.slice(DIRECT_GET_PREFIX.length + stream.name.length + 1);
  if (payload.length !== 0 || key === "") {
    send(stream, reply, BAD_REQUEST, EMPTY);
    return;
  }
  answer(stream, reply, stream.store.loadLastBySubject(key));
}

function answer(stream: Stream, reply: string, msg: StoredMessage | null): void {
  if (msg === null) {
    send(stream, reply, NOT_FOUND, EMPTY);
    return;
  }
  send(stream, reply, directGetHeaders(stream.name, msg), msg.payload);
}

/** The stored headers (if any) with the four Nats-* headers appended, as nats-server's genHeader does. */
export function directGetHeaders(streamName: string, msg: StoredMessage): Buffer {
  const lines =
    `Nats-Stream: ${streamName}\r\nNats-Subject: ${msg.subject}\r\n` +
    `Nats-Sequence: ${msg.seq}\r\nNats-Time-Stamp: ${formatRfc3339Nano(msg.ts, msg.tsNanos)}\r\n\r\n`;
  if (msg.headers === null || msg.headers.length <= 2) return Buffer.from(`NATS/1.0\r\n${lines}`);
  const kept = msg.headers.subarray(0, msg.headers.length - 2);
  return Buffer.concat([kept, Buffer.from(lines)]);
}

function send(stream: Stream, reply: string, headers: Buffer, payload: Buffer): void {
  stream.client.publish(reply, null, headers, payload);
}
