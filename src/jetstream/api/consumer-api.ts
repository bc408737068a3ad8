// The consumer API family: CONSUMER.CREATE (`.<stream>`, `.<stream>.<name>`, `.<stream>.<name>.<filter>`),
// CONSUMER.DURABLE.CREATE, INFO, LIST, NAMES, DELETE and MSG.NEXT, with nats-server 2.9.10's request
// checks, their order, and its JSON (jetstream_api.go jsConsumer*Request).

import type { Consumer } from "../consumer.js";
import { type ConsumerConfig, consumerFilterErrors, parseConsumerConfig } from "../consumer-config.js";
import { addConsumer, deleteConsumer } from "../consumer-create.js";
import type { ConsumerEnv } from "../consumer-env.js";
import type { JsAccountView, JsApiHandlerEntry, JsApiRequest, StreamView } from "../contracts.js";
import { type JsApiError, jsError } from "../errors.js";
import { asObject, GoJsonError, isEmptyRequest, parseJson, readInt, readString } from "../go-json.js";
import { tokenAt } from "./router.js";

const T = "io.nats.jetstream.api.v1.";
export const CONSUMER_CREATE_TYPE = `${T}consumer_create_response`;
export const CONSUMER_INFO_TYPE = `${T}consumer_info_response`;
export const CONSUMER_DELETE_TYPE = `${T}consumer_delete_response`;
export const CONSUMER_NAMES_TYPE = `${T}consumer_names_response`;
export const CONSUMER_LIST_TYPE = `${T}consumer_list_response`;
const STEPDOWN_TYPE = `${T}consumer_leader_stepdown_response`;

/** JSApiNamesLimit and JSApiListLimit. */
const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;

/** How the handlers reach the per-account consumer environment (the extension keeps one per account). */
export type EnvLookup = (account: JsAccountView) => ConsumerEnv;

function fail(account: JsAccountView, req: JsApiRequest, type: string, error: JsApiError): void {
  account.respond(req, { type, error });
}

/** The consumers of a stream that clients see, sorted by name (getPublicConsumers). */
function publicConsumers(stream: StreamView): Consumer[] {
  const out: Consumer[] = [];
  for (const c of stream.consumers.values()) {
    const consumer = c as Consumer;
    if (consumer.config.direct !== true) out.push(consumer);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface CreateRequest {
  stream: string;
  config: ConsumerConfig;
}

/** CreateConsumerRequest: `{stream_name, config}`; null when Go could not unmarshal it. */
function readCreateRequest(payload: Buffer): CreateRequest | null {
  try {
    const obj = asObject(parseJson(payload));
    const stream = readString(obj, "stream_name") ?? "";
    let rawConfig: unknown = null;
    if (obj !== null) {
      for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === "config") rawConfig = v;
    }
    const config = parseConsumerConfig(rawConfig);
    return config === null ? null : { stream, config };
  } catch (err) {
    if (err instanceof GoJsonError) return null;
    throw err;
  }
}

/** Which of the three subject forms a create used, and the names in it. */
function createSubject(req: JsApiRequest) {
  const n = req.tokens.length;
  if (n < 5) return null;
  if (n === 5) return { kind: "legacyEphemeral" as const, stream: tokenAt(req, 4), consumer: "", filter: "" };
  if (tokenAt(req, 3) === "DURABLE") {
    return {
      kind: "legacyDurable" as const,
      stream: tokenAt(req, 5),
      consumer: tokenAt(req, 6),
      filter: "",
      bad: n !== 7,
    };
  }
  // As in nats-server, a filter is read from the subject only when it has two tokens or more (n > 7).
  const filter = n > 7 ? req.tokens.slice(6).join(".") : "";
  return { kind: "new" as const, stream: tokenAt(req, 4), consumer: tokenAt(req, 5), filter };
}

/** jsConsumerCreateRequest's checks of the subject against the body, in nats-server's order. */
function createRequestError(
  form: NonNullable<ReturnType<typeof createSubject>>,
  r: CreateRequest,
): JsApiError | null {
  const cfg = r.config;
  if (form.kind === "legacyDurable" && form.bad) return jsError("JSConsumerDurableNameNotInSubjectErr");
  if (form.stream !== r.stream) return jsError("JSStreamMismatchErr");
  if (form.consumer !== "" && /[\\/]/.test(form.consumer))
    return jsError("JSConsumerNameContainsPathSeparatorsErr");
  const durable = cfg.durable_name ?? "";
  if (form.kind === "legacyDurable") {
    if (durable === "") return jsError("JSConsumerDurableNameNotSetErr");
    if (form.consumer !== durable) return jsError("JSConsumerDurableNameNotMatchSubjectErr");
  }
  if (form.kind === "new") {
    if (durable !== "" && form.consumer !== durable)
      return jsError("JSConsumerDurableNameNotMatchSubjectErr");
    cfg.name = form.consumer;
  }
  if (form.kind === "legacyEphemeral" && durable !== "")
    return jsError("JSConsumerEphemeralWithDurableNameErr");
  if (form.filter !== "") {
    if ((cfg.filter_subjects?.length ?? 0) > 0) return { ...consumerFilterErrors.multipleFiltersNotAllowed };
    if (cfg.filter_subject !== form.filter) return jsError("JSConsumerCreateFilterSubjectMismatchErr");
  }
  if (cfg.num_replicas > 1) return jsError("JSStreamReplicasNotSupportedErr");
  return null;
}

function consumerCreate(envOf: EnvLookup) {
  return (account: JsAccountView, req: JsApiRequest): void => {
    const form = createSubject(req);
    if (form === null) return;
    const r = readCreateRequest(req.payload);
    if (r === null) {
      fail(account, req, CONSUMER_CREATE_TYPE, jsError("JSInvalidJSONErr"));
      return;
    }
    const error = createRequestError(form, r);
    if (error !== null) {
      fail(account, req, CONSUMER_CREATE_TYPE, error);
      return;
    }
    const stream = account.lookupStream(r.stream);
    if (stream === null) {
      fail(account, req, CONSUMER_CREATE_TYPE, jsError("JSStreamNotFoundErr"));
      return;
    }
    const result = addConsumer(stream, envOf(account), r.config);
    if (result.error !== undefined) {
      fail(account, req, CONSUMER_CREATE_TYPE, result.error);
      return;
    }
    account.respond(req, { type: CONSUMER_CREATE_TYPE, ...result.consumer.info() });
  };
}

function consumerInfo(account: JsAccountView, req: JsApiRequest): void {
  if (!isEmptyRequest(req.payload)) {
    fail(account, req, CONSUMER_INFO_TYPE, jsError("JSNotEmptyRequestErr"));
    return;
  }
  const stream = account.lookupStream(tokenAt(req, 4));
  if (stream === null) {
    fail(account, req, CONSUMER_INFO_TYPE, jsError("JSStreamNotFoundErr"));
    return;
  }
  const consumer = stream.consumers.get(tokenAt(req, 5)) as Consumer | undefined;
  if (consumer === undefined) {
    fail(account, req, CONSUMER_INFO_TYPE, jsError("JSConsumerNotFoundErr"));
    return;
  }
  account.respond(req, { type: CONSUMER_INFO_TYPE, ...consumer.info() });
}

function consumerDelete(account: JsAccountView, req: JsApiRequest): void {
  if (!isEmptyRequest(req.payload)) {
    fail(account, req, CONSUMER_DELETE_TYPE, jsError("JSNotEmptyRequestErr"));
    return;
  }
  const stream = account.lookupStream(tokenAt(req, 4));
  if (stream === null) {
    fail(account, req, CONSUMER_DELETE_TYPE, jsError("JSStreamNotFoundErr"));
    return;
  }
  const consumer = stream.consumers.get(tokenAt(req, 5)) as Consumer | undefined;
  if (consumer === undefined) {
    fail(account, req, CONSUMER_DELETE_TYPE, jsError("JSConsumerNotFoundErr"));
    return;
  }
  deleteConsumer(consumer);
  account.respond(req, { type: CONSUMER_DELETE_TYPE, success: true });
}

/** The paging offset of NAMES and LIST (`{"offset": n}`); null when the body is not valid. */
function readOffset(payload: Buffer): number | null {
  if (isEmptyRequest(payload)) return 0;
  try {
    return readInt(asObject(parseJson(payload)), "offset") ?? 0;
  } catch (err) {
    if (err instanceof GoJsonError) return null;
    throw err;
  }
}

/** NAMES and LIST errors still carry the paging fields and an empty list (Go's response struct). */
function failPaged(account: JsAccountView, req: JsApiRequest, type: string, error: JsApiError): void {
  account.respond(req, { type, error, total: 0, offset: 0, limit: 0, consumers: [] });
}

function pagedConsumers(account: JsAccountView, req: JsApiRequest, type: string) {
  const offset = readOffset(req.payload);
  if (offset === null) {
    failPaged(account, req, type, jsError("JSInvalidJSONErr"));
    return null;
  }
  const stream = account.lookupStream(tokenAt(req, 4));
  if (stream === null) {
    failPaged(account, req, type, jsError("JSStreamNotFoundErr"));
    return null;
  }
  const all = publicConsumers(stream);
  const from = Math.min(Math.max(offset, 0), all.length);
  return { all, from };
}

function consumerNames(account: JsAccountView, req: JsApiRequest): void {
  const page = pagedConsumers(account, req, CONSUMER_NAMES_TYPE);
  if (page === null) return;
  const names = page.all.slice(page.from, page.from + NAMES_LIMIT).map((c) => c.name);
  account.respond(req, {
    type: CONSUMER_NAMES_TYPE,
    total: page.all.length,
    offset: page.from,
    limit: NAMES_LIMIT,
    consumers: names,
  });
}

function consumerList(account: JsAccountView, req: JsApiRequest): void {
  const page = pagedConsumers(account, req, CONSUMER_LIST_TYPE);
  if (page === null) return;
  const infos = page.all.slice(page.from, page.from + LIST_LIMIT).map((c) => c.info());
  account.respond(req, {
    type: CONSUMER_LIST_TYPE,
    total: page.all.length,
    offset: page.from,
    limit: LIST_LIMIT,
    consumers: infos,
  });
}

/**
 * A pull request. nats-server answers it from the consumer's own subscription, so a request for an
 * unknown stream or consumer gets no answer at all (the client times out).
 */
function consumerNext(account: JsAccountView, req: JsApiRequest): void {
  if (req.reply === null) return;
  const stream = account.lookupStream(tokenAt(req, 5));
  const consumer = stream?.consumers.get(tokenAt(req, 6)) as Consumer | undefined;
  consumer?.processNextRequest(req.reply, req.payload);
}

function consumerStepdown(account: JsAccountView, req: JsApiRequest): void {
  fail(account, req, STEPDOWN_TYPE, jsError("JSClusterRequiredErr"));
}

export function consumerApiHandlers(envOf: EnvLookup): JsApiHandlerEntry[] {
  const create = consumerCreate(envOf);
  return [
    { pattern: "CONSUMER.CREATE.*", handler: create },
    { pattern: "CONSUMER.CREATE.*.>", handler: create },
    { pattern: "CONSUMER.DURABLE.CREATE.*.*", handler: create },
    { pattern: "CONSUMER.INFO.*.*", handler: consumerInfo },
    { pattern: "CONSUMER.DELETE.*.*", handler: consumerDelete },
    { pattern: "CONSUMER.NAMES.*", handler: consumerNames },
    { pattern: "CONSUMER.LIST.*", handler: consumerList },
    { pattern: "CONSUMER.MSG.NEXT.*.*", handler: consumerNext },
    { pattern: "CONSUMER.LEADER.STEPDOWN.*.*", handler: consumerStepdown },
  ];
}
