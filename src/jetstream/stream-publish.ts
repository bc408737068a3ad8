// The inbound path of a stream (nats-server processJetStreamMsg): expectation headers, Nats-Msg-Id
// dedupe, rollups, size and resource checks, interest skips, the store, and the PubAck (held back
// by the group commit until the record is on disk).

import { isStoreError, storeErrorTexts } from "../storage/store.js";
import { type JsApiError, jsError } from "./errors.js";
import { goJson } from "./go-json.js";
import type { Stream } from "./stream.js";
import { NS_PER_MS } from "./stream-config.js";

const EMPTY = Buffer.alloc(0);
/** nats-server refuses header blocks longer than math.MaxUint16. */
const MAX_HEADER_BYTES = 65535;

/** The JetStream publish headers, read in one pass over the block. */
export interface PubHeaders {
  msgId: string;
  expectedStream: string;
  expectedLastSeq: string;
  expectedLastSubjectSeq: string;
  expectedLastMsgId: string;
  rollup: string;
}

const HEADER_KEYS: Record<string, keyof PubHeaders> = {
  "Nats-Msg-Id": "msgId",
  "Nats-Expected-Stream": "expectedStream",
  "Nats-Expected-Last-Sequence": "expectedLastSeq",
  "Nats-Expected-Last-Subject-Sequence": "expectedLastSubjectSeq",
  "Nats-Expected-Last-Msg-Id": "expectedLastMsgId",
  "Nats-Rollup": "rollup",
};

/** Reads the headers above (case-sensitive names, first occurrence wins, as nats-server's getHeader). */
export function readPubHeaders(block: Buffer): PubHeaders {
  const h: PubHeaders = {
    msgId: "",
    expectedStream: "",
    expectedLastSeq: "",
    expectedLastSubjectSeq: "",
    expectedLastMsgId: "",
    rollup: "",
  };
  const text = block.toString("utf8");
  let lineStart = text.indexOf("\r\n");
  while (lineStart >= 0) {
    lineStart += 2;
    const lineEnd = text.indexOf("\r\n", lineStart);
    if (lineEnd <= lineStart) break;
    const colon = text.indexOf(":", lineStart);
    if (colon > lineStart && colon < lineEnd && text.startsWith("Nats-", lineStart)) {
      const key = HEADER_KEYS[text.slice(lineStart, colon)];
      if (key !== undefined && h[key] === "") h[key] = text.slice(colon + 1, lineEnd).replace(/^ +/, "");
    }
    lineStart = lineEnd;
  }
  return h;
}

/** nats-server parseInt64 on a sequence header: digits only, else -1 (which never matches). */
function parseSeqHeader(v: string): number {
  return /^\d+$/.test(v) ? Number(v) : -1;
}

/** Rebuilds msg ids (and the last msg id) from messages inside the duplicate window, once after recovery. */
export function ensureDedupeLoaded(stream: Stream): void {
  if (stream.dedupeLoaded) return;
  stream.dedupeLoaded = true;
  const store = stream.store;
  const windowMs = (stream.config.duplicate_window ?? 0) / NS_PER_MS;
  const last = store.state().lastSeq;
  let seq = store.seqForTime(Date.now() - windowMs);
  while (seq <= last) {
    const m = store.loadNextMatching(seq, null);
    if (m === null) break;
    const id = m.headers === null ? "" : readPubHeaders(m.headers).msgId;
    if (id !== "") stream.msgIds.add(id, m.seq, m.ts);
    if (m.seq === last) stream.lastMsgId = id;
    seq = m.seq + 1;
  }
}

/** Handles one message published on the stream's subjects. Runs inside the publisher's route(). */
export function processInbound(
  stream: Stream,
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
): void {
  if (stream.closed) return;
  const cfg = stream.config;
  const ack = reply !== null && reply !== "" && !cfg.no_ack ? reply : null;
  if (cfg.sealed) {
    if (reply) replyError(stream, reply, jsError("JSStreamSealedErr"));
    return;
  }
  if (headers !== null && headers.length === 0) headers = null;
  let msgId = "";
  let rollup = "";
  if (headers !== null) {
    const h = readPubHeaders(headers);
    const refusal = checkExpectations(stream, subject, h);
    if (refusal === "drop") return;
    if (refusal !== null) {
      if (ack) replyError(stream, ack, refusal);
      return;
    }
    msgId = h.msgId;
    if (msgId !== "") {
      const dup = stream.msgIds.lookup(msgId);
      if (dup !== undefined) {
        if (ack) sendAck(stream, ack, `${stream.pubAckPrefix}${dup},"duplicate": true}`);
        return;
      }
    }
    rollup = h.rollup.toLowerCase();
  }
  const sizeError = checkSize(stream, headers, payload);
  if (sizeError !== null) {
    if (ack) replyError(stream, ack, sizeError);
    return;
  }
  if (cfg.retention === "interest" && !stream.hasInterest(subject)) {
    skipMessage(stream, subject, msgId, ack);
    return;
  }
  storeMessage(stream, subject, headers, payload, msgId, rollup, ack);
}

/**
 * The expectation headers, in nats-server's order. Returns the error to answer with, "drop" for an
 * unknown rollup value (nats-server answers nothing), or null when the message may be stored.
 */
function checkExpectations(stream: Stream, subject: string, h: PubHeaders): JsApiError | "drop" | null {
  const cfg = stream.config;
  if (h.expectedStream !== "" && h.expectedStream !== cfg.name) return jsError("JSStreamNotMatchErr");
  if (h.msgId !== "") ensureDedupeLoaded(stream);
  if (h.expectedLastSubjectSeq !== "") {
    const last = stream.store.loadLastBySubject(subject)?.seq ?? 0;
    if (last !== parseSeqHeader(h.expectedLastSubjectSeq))
      return jsError("JSStreamWrongLastSequenceErrF", { seq: last });
  }
  if (h.expectedLastSeq !== "" && parseSeqHeader(h.expectedLastSeq) !== stream.lastSeq) {
    return jsError("JSStreamWrongLastSequenceErrF", { seq: stream.lastSeq });
  }
  if (h.expectedLastMsgId !== "") {
    ensureDedupeLoaded(stream);
    if (h.expectedLastMsgId !== stream.lastMsgId)
      return jsError("JSStreamWrongLastMsgIDErrF", { id: stream.lastMsgId });
  }
  if (h.rollup !== "") {
    if (!cfg.allow_rollup_hdrs || cfg.deny_purge) {
      return jsError("JSStreamRollupFailedF", { err: "rollup not permitted" });
    }
    const r = h.rollup.toLowerCase();
    if (r !== "sub" && r !== "all") return "drop";
  }
  return null;
}

function checkSize(stream: Stream, headers: Buffer | null, payload: Buffer): JsApiError | null {
  const hlen = headers?.length ?? 0;
  const max = stream.config.max_msg_size ?? -1;
  if (max >= 0 && hlen + payload.length > max) return jsError("JSStreamMessageExceedsMaximumErr");
  if (hlen > MAX_HEADER_BYTES) return jsError("JSStreamHeaderExceedsMaximumErr");
  if (stream.host.resourcesExceeded(stream.config.storage)) return jsError("JSInsufficientResourcesErr");
  return null;
}

function storeMessage(
  stream: Stream,
  subject: string,
  headers: Buffer | null,
  payload: Buffer,
  msgId: string,
  rollup: string,
  ack: string | null,
): void {
  const store = stream.store;
  let seq: number;
  try {
    seq = store.store(subject, headers, payload).seq;
  } catch (err) {
    stream.lastSeq = store.state().lastSeq;
    if (!isStoreError(err) || err.code === "corrupt" || err.code === "badFormat") {
      stream.host.ctx.logger.error({ err, stream: stream.name }, "JetStream failed to store a msg");
    }
    if (ack) replyError(stream, ack, jsError("JSStreamStoreFailedF", { err: storeFailureText(err) }));
    return;
  }
  stream.lastSeq = seq;
  stream.lastMsgId = msgId;
  if (msgId !== "") stream.msgIds.add(msgId, seq);
  stream.host.commit.written(store);
  if (rollup === "sub") stream.purge({ subject, keep: 1 });
  else if (rollup === "all") stream.purge({ keep: 1 });
  if (ack) sendAck(stream, ack, `${stream.pubAckPrefix}${seq}}`);
  stream.notifyStored(seq, subject);
}

function storeFailureText(err: unknown): string {
  if (isStoreError(err)) return storeErrorTexts[err.code];
  return err instanceof Error ? err.message : String(err);
}

/**
 * Interest retention with nobody interested: the sequence is used up but nothing is kept
 * (nats-server SkipMsg). The store has no skip, so an empty store moves its next sequence and a
 * non-empty one stores and removes a placeholder.
 */
function skipMessage(stream: Stream, subject: string, msgId: string, ack: string | null): void {
  const store = stream.store;
  try {
    if (store.state().msgs === 0) store.compact(stream.lastSeq + 2);
    else store.remove(store.store(subject, null, EMPTY).seq, false);
  } catch (err) {
    if (ack) replyError(stream, ack, jsError("JSStreamStoreFailedF", { err: storeFailureText(err) }));
    return;
  }
  stream.lastSeq = store.state().lastSeq;
  stream.lastMsgId = msgId;
  if (msgId !== "") stream.msgIds.add(msgId, stream.lastSeq);
  stream.host.commit.written(store);
  if (ack) sendAck(stream, ack, `${stream.pubAckPrefix}${stream.lastSeq}}`);
}

function sendAck(stream: Stream, reply: string, body: string): void {
  stream.host.commit.reply(stream.client, reply, Buffer.from(body), stream.store);
}

/** An error PubAck: `{"error":{...},"stream":"X","seq":0}` (JSPubAckResponse with an empty PubAck). */
function replyError(stream: Stream, reply: string, error: JsApiError): void {
  const body = goJson({ error, stream: stream.name, seq: 0 });
  stream.host.commit.reply(stream.client, reply, Buffer.from(body), null);
}
