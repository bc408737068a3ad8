// STREAM.MSG.GET and STREAM.MSG.DELETE, with nats-server 2.9.10's checks and its quirks in
// counting (a found message is not an API call in $JS.API.INFO; a failed delete is not an error).

import type { JsAccountView, JsApiHandlerEntry, JsApiRequest } from "../contracts.js";
import { jsError } from "../errors.js";
import { asObject, GoJsonError, isEmptyRequest, parseJson, readBool, readInt } from "../go-json.js";
import type { JsAccount } from "../jetstream-account.js";
import type { Stream } from "../stream.js";
import { isBadMsgGetRequest, loadForGet, readMsgGetRequest, storedMsgJson } from "../stream-msg-get.js";
import { tokenAt } from "./router.js";

export const MSG_GET_TYPE = "io.nats.jetstream.api.v1.stream_msg_get_response";
export const MSG_DELETE_TYPE = "io.nats.jetstream.api.v1.stream_msg_delete_response";

/** `$JS.API.STREAM.MSG.<OP>.<name>`: the stream name is token 5. */
const streamToken = (req: JsApiRequest) => tokenAt(req, 5);

function parse<T>(req: JsApiRequest, read: (v: unknown) => T): T | null {
  try {
    return read(parseJson(req.payload));
  } catch (err) {
    if (err instanceof GoJsonError) return null;
    throw err;
  }
}

function msgGet(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = (name: Parameters<typeof jsError>[0]) =>
    acc.respond(req, { type: MSG_GET_TYPE, error: jsError(name) });
  if (isEmptyRequest(req.payload)) {
    fail("JSBadRequestErr");
    return;
  }
  const get = parse(req, readMsgGetRequest);
  if (get === null) {
    fail("JSInvalidJSONErr");
    return;
  }
  if (isBadMsgGetRequest(get)) {
    fail("JSBadRequestErr");
    return;
  }
  const stream = acc.lookupStream(streamToken(req));
  if (stream === null) {
    fail("JSStreamNotFoundErr");
    return;
  }
  const msg = loadForGet(stream.store, get);
  if (msg === null) {
    fail("JSNoMessageFoundErr");
    return;
  }
  if (req.reply !== null) acc.send(req.reply, { type: MSG_GET_TYPE, message: storedMsgJson(msg) });
}

interface DeleteRequest {
  seq: number;
  noErase: boolean;
}

function readDeleteRequest(body: unknown): DeleteRequest {
  const o = asObject(body);
  return { seq: readInt(o, "seq", "uint64") ?? 0, noErase: readBool(o, "no_erase") ?? false };
}

function msgDelete(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = (error: ReturnType<typeof jsError>) => acc.respond(req, { type: MSG_DELETE_TYPE, error });
  if (isEmptyRequest(req.payload)) {
    fail(jsError("JSBadRequestErr"));
    return;
  }
  const del = parse(req, readDeleteRequest);
  if (del === null) {
    fail(jsError("JSInvalidJSONErr"));
    return;
  }
  const stream = acc.lookupStream(streamToken(req));
  if (stream === null) {
    fail(jsError("JSStreamNotFoundErr"));
    return;
  }
  if (stream.config.sealed) {
    fail(jsError("JSStreamSealedErr"));
    return;
  }
  if (stream.config.deny_delete) {
    fail(jsError("JSStreamMsgDeleteFailedF", { err: "message delete not permitted" }));
    return;
  }
  if (stream.removeMessage(del.seq, !del.noErase)) {
    acc.respondDurable(req, { type: MSG_DELETE_TYPE, success: true }, stream.store);
    return;
  }
  // nats-server sends these through its success path: counted, but not as API errors.
  acc.respondCounted(req, { type: MSG_DELETE_TYPE, error: notRemovedError(stream, del.seq) }, false);
}

/**
 * What each nats-server store reports for a sequence it could not remove: the memory store and a file
 * block that still holds the sequence say "sequence N not found"; the file store says "no message found"
 * below its first block (or for 0) and "stream store EOF" past its last sequence.
 */
function notRemovedError(stream: Stream, seq: number): ReturnType<typeof jsError> {
  if (stream.config.storage === "file") {
    const st = stream.store.state();
    if (seq > st.lastSeq) return jsError("JSStreamMsgDeleteFailedF", { err: "stream store EOF" });
    if (seq === 0 || seq < st.firstSeq)
      return jsError("JSStreamMsgDeleteFailedF", { err: "no message found" });
  }
  return jsError("JSSequenceNotFoundErrF", { seq });
}

export const streamMsgApiHandlers: readonly JsApiHandlerEntry[] = [
  { pattern: "STREAM.MSG.GET.*", handler: msgGet },
  { pattern: "STREAM.MSG.DELETE.*", handler: msgDelete },
];
