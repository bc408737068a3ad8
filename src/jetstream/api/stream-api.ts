// The stream API family: STREAM.CREATE, UPDATE, INFO, LIST, NAMES, DELETE, PURGE (and the
// cluster-only STEPDOWN / PEER.REMOVE), with nats-server 2.9.10's request checks, order and JSON.

import { subjectsCollide } from "../../core/subject.js";
import type { JsAccountView, JsApiHandlerEntry, JsApiRequest } from "../contracts.js";
import { type JsApiError, jsError } from "../errors.js";
import {
  asObject,
  GoJsonError,
  isEmptyRequest,
  parseJson,
  readBool,
  readInt,
  readString,
} from "../go-json.js";
import type { JsAccount } from "../jetstream-account.js";
import type { Stream } from "../stream.js";
import { checkStreamConfig, readStreamConfig, type StreamConfigRequest } from "../stream-config.js";
import { tokenAt } from "./router.js";

const T = "io.nats.jetstream.api.v1.";
export const STREAM_CREATE_TYPE = `${T}stream_create_response`;
export const STREAM_UPDATE_TYPE = `${T}stream_update_response`;
export const STREAM_INFO_TYPE = `${T}stream_info_response`;
export const STREAM_LIST_TYPE = `${T}stream_list_response`;
export const STREAM_NAMES_TYPE = `${T}stream_names_response`;
export const STREAM_DELETE_TYPE = `${T}stream_delete_response`;
export const STREAM_PURGE_TYPE = `${T}stream_purge_response`;
const STEPDOWN_TYPE = `${T}stream_leader_stepdown_response`;
const PEER_REMOVE_TYPE = `${T}stream_remove_peer_response`;

/** JSApiNamesLimit and JSApiListLimit. */
export const NAMES_LIMIT = 1024;
export const LIST_LIMIT = 256;

/** `$JS.API.STREAM.<OP>.<name>`: the stream name is token 4. */
const streamToken = (req: JsApiRequest) => tokenAt(req, 4);

/** Parses the body with `read`; a body Go could not unmarshal is answered with "invalid JSON". */
function parseBody<T>(
  acc: JsAccount,
  req: JsApiRequest,
  fail: Record<string, unknown>,
  read: (v: unknown) => T,
) {
  try {
    return read(parseJson(req.payload));
  } catch (err) {
    if (!(err instanceof GoJsonError)) throw err;
    respondError(acc, req, fail, jsError("JSInvalidJSONErr"));
    return undefined;
  }
}

/** `{type, error, ...}`: responses keep their paging or purged fields after the error (Go field order). */
function respondError(
  acc: JsAccount,
  req: JsApiRequest,
  fail: Record<string, unknown>,
  error: JsApiError,
): void {
  const { type, ...rest } = fail;
  acc.respond(req, { type, error, ...rest });
}

function streamCreate(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_CREATE_TYPE };
  const cfgReq = parseBody(acc, req, fail, readStreamConfig);
  if (cfgReq === undefined) return;
  const error = createRequestError(streamToken(req), cfgReq);
  if (error !== null) {
    respondError(acc, req, fail, error);
    return;
  }
  const checked = checkStreamConfig(cfgReq);
  if (checked.error !== undefined) {
    respondError(acc, req, fail, checked.error);
    return;
  }
  const result = acc.createStream(checked.config);
  if (result.error !== undefined) {
    respondError(acc, req, fail, result.error);
    return;
  }
  acc.respond(req, { type: STREAM_CREATE_TYPE, ...result.stream.infoJson().info, did_create: true });
}

/** The checks jsStreamCreateRequest makes before addStream, in its order. */
function createRequestError(name: string, cfg: StreamConfigRequest): JsApiError | null {
  if (name !== cfg.name) return jsError("JSStreamMismatchErr");
  if (/[\\/]/.test(name)) return jsError("JSStreamNameContainsPathSeparatorsErr");
  if (cfg.sealed)
    return jsError("JSStreamInvalidConfigF", { err: "stream configuration for create can not be sealed" });
  if (cfg.mirrorDirect && !cfg.hasMirror) {
    return jsError("JSStreamInvalidConfigF", { err: "stream has no mirror but does have mirror direct" });
  }
  return null;
}

function streamUpdate(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_UPDATE_TYPE };
  const cfgReq = parseBody(acc, req, fail, readStreamConfig);
  if (cfgReq === undefined) return;
  const checked = checkStreamConfig(cfgReq);
  if (checked.error !== undefined) {
    respondError(acc, req, fail, checked.error);
    return;
  }
  if (streamToken(req) !== checked.config.name) {
    respondError(acc, req, fail, jsError("JSStreamMismatchErr"));
    return;
  }
  const stream = acc.lookupStream(checked.config.name);
  if (stream === null) {
    respondError(acc, req, fail, jsError("JSStreamNotFoundErr"));
    return;
  }
  const error = acc.updateStream(stream, checked.config);
  if (error !== null) {
    respondError(acc, req, fail, error);
    return;
  }
  acc.respond(req, { type: STREAM_UPDATE_TYPE, ...stream.infoJson({ withDomain: true }).info });
}

interface InfoRequest {
  deletedDetails: boolean;
  subjectsFilter: string;
  offset: number;
}

function readInfoRequest(body: unknown): InfoRequest {
  const o = asObject(body);
  return {
    deletedDetails: readBool(o, "deleted_details") ?? false,
    subjectsFilter: readString(o, "subjects_filter") ?? "",
    offset: readInt(o, "offset") ?? 0,
  };
}

const PAGED_ZERO = { total: 0, offset: 0, limit: 0 };

function streamInfo(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_INFO_TYPE, ...PAGED_ZERO };
  let ir: InfoRequest = { deletedDetails: false, subjectsFilter: "", offset: 0 };
  if (!isEmptyRequest(req.payload)) {
    const parsed = parseBody(acc, req, fail, readInfoRequest);
    if (parsed === undefined) return;
    ir = parsed;
  }
  const stream = acc.lookupStream(streamToken(req));
  if (stream === null) {
    respondError(acc, req, fail, jsError("JSStreamNotFoundErr"));
    return;
  }
  const { paged, info } = stream.infoJson({
    deletedDetails: ir.deletedDetails,
    subjectsFilter: ir.subjectsFilter,
    offset: ir.offset,
    withDomain: true,
  });
  acc.respond(req, { type: STREAM_INFO_TYPE, ...paged, ...info });
}

interface ListRequest {
  offset: number;
  subject: string;
}

function readListRequest(body: unknown): ListRequest {
  const o = asObject(body);
  return { offset: readInt(o, "offset") ?? 0, subject: readString(o, "subject") ?? "" };
}

/** The account's streams, sorted, filtered by subject overlap (nats-server filteredStreams). */
function listed(acc: JsAccount, lr: ListRequest): { streams: Stream[]; offset: number } {
  let streams = acc.sortedStreams();
  if (lr.subject !== "") {
    streams = streams.filter((s) =>
      (s.config.subjects ?? []).some((subj) => subjectsCollide(lr.subject, subj)),
    );
  }
  return { streams, offset: Math.min(Math.max(lr.offset, 0), streams.length) };
}

function readPaging(
  acc: JsAccount,
  req: JsApiRequest,
  fail: Record<string, unknown>,
): ListRequest | undefined {
  if (isEmptyRequest(req.payload)) return { offset: 0, subject: "" };
  return parseBody(acc, req, fail, readListRequest);
}

function streamNames(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_NAMES_TYPE, ...PAGED_ZERO, streams: null };
  const lr = readPaging(acc, req, fail);
  if (lr === undefined) return;
  const { streams, offset } = listed(acc, lr);
  const names = streams.slice(offset, offset + NAMES_LIMIT).map((s) => s.name);
  // Go's nil slice: an empty page is `null`, not `[]`.
  const page = names.length === 0 ? null : names;
  acc.respond(req, {
    type: STREAM_NAMES_TYPE,
    total: streams.length,
    offset,
    limit: NAMES_LIMIT,
    streams: page,
  });
}

function streamList(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_LIST_TYPE, ...PAGED_ZERO, streams: [] };
  const lr = readPaging(acc, req, fail);
  if (lr === undefined) return;
  const { streams, offset } = listed(acc, lr);
  const infos = streams.slice(offset, offset + LIST_LIMIT).map((s) => s.infoJson({ withDomain: true }).info);
  acc.respond(req, {
    type: STREAM_LIST_TYPE,
    total: streams.length,
    offset,
    limit: LIST_LIMIT,
    streams: infos,
  });
}

function streamDelete(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_DELETE_TYPE };
  if (!isEmptyRequest(req.payload)) {
    respondError(acc, req, fail, jsError("JSNotEmptyRequestErr"));
    return;
  }
  const stream = acc.lookupStream(streamToken(req));
  if (stream === null) {
    respondError(acc, req, fail, jsError("JSStreamNotFoundErr"));
    return;
  }
  acc.deleteStream(stream);
  acc.respond(req, { type: STREAM_DELETE_TYPE, success: true });
}

interface PurgeRequest {
  seq: number;
  filter: string;
  keep: number;
}

function readPurgeRequest(body: unknown): PurgeRequest {
  const o = asObject(body);
  return {
    seq: readInt(o, "seq", "uint64") ?? 0,
    filter: readString(o, "filter") ?? "",
    keep: readInt(o, "keep", "uint64") ?? 0,
  };
}

function streamPurge(view: JsAccountView, req: JsApiRequest): void {
  const acc = view as JsAccount;
  const fail = { type: STREAM_PURGE_TYPE, purged: 0 };
  let pr: PurgeRequest | null = null;
  if (!isEmptyRequest(req.payload)) {
    const parsed = parseBody(acc, req, fail, readPurgeRequest);
    if (parsed === undefined) return;
    if (parsed.seq > 0 && parsed.keep > 0) {
      respondError(acc, req, fail, jsError("JSBadRequestErr"));
      return;
    }
    pr = parsed;
  }
  const stream = acc.lookupStream(streamToken(req));
  if (stream === null) {
    respondError(acc, req, fail, jsError("JSStreamNotFoundErr"));
    return;
  }
  if (stream.config.sealed) {
    respondError(acc, req, fail, jsError("JSStreamSealedErr"));
    return;
  }
  if (stream.config.deny_purge) {
    respondError(acc, req, fail, jsError("JSStreamPurgeFailedF", { err: "stream purge not permitted" }));
    return;
  }
  let purged: number;
  try {
    purged = pr === null ? stream.purge() : stream.purge(purgeOptions(pr));
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    respondError(acc, req, fail, jsError("JSStreamGeneralErrorF", { err: text }));
    return;
  }
  acc.respondDurable(req, { type: STREAM_PURGE_TYPE, success: true, purged }, stream.store);
}

function purgeOptions(pr: PurgeRequest): { subject?: string; seq?: number; keep?: number } {
  return {
    subject: pr.filter === "" ? undefined : pr.filter,
    seq: pr.seq > 0 ? pr.seq : undefined,
    keep: pr.keep > 0 ? pr.keep : undefined,
  };
}

/** Single-server JetStream: nats-server answers these with "JetStream clustering support required". */
function clusterOnly(type: string) {
  return (view: JsAccountView, req: JsApiRequest) => {
    (view as JsAccount).respond(req, { type, error: jsError("JSClusterRequiredErr") });
  };
}

export const streamApiHandlers: readonly JsApiHandlerEntry[] = [
  { pattern: "STREAM.CREATE.*", handler: streamCreate },
  { pattern: "STREAM.UPDATE.*", handler: streamUpdate },
  { pattern: "STREAM.INFO.*", handler: streamInfo },
  { pattern: "STREAM.LIST", handler: streamList },
  { pattern: "STREAM.NAMES", handler: streamNames },
  { pattern: "STREAM.DELETE.*", handler: streamDelete },
  { pattern: "STREAM.PURGE.*", handler: streamPurge },
  { pattern: "STREAM.LEADER.STEPDOWN.*", handler: clusterOnly(STEPDOWN_TYPE) },
  { pattern: "STREAM.PEER.REMOVE.*", handler: clusterOnly(PEER_REMOVE_TYPE) },
];
