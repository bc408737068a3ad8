// `$JS.API.INFO`: the account's JetStream usage (memory, storage, streams, consumers), its limits
// (unlimited: no per-account limits yet) and API call statistics, as nats-server's JetStreamAccountStats.

import type { JsAccountView, JsApiHandlerEntry, JsApiRequest } from "../contracts.js";
import type { JsAccount } from "../jetstream-account.js";

export const ACCOUNT_INFO_TYPE = "io.nats.jetstream.api.v1.account_info_response";

/** JetStreamAccountLimits for an account without limits (nats-server's $G in single-server mode). */
const NO_LIMITS = Object.freeze({
  max_memory: -1,
  max_storage: -1,
  max_streams: -1,
  max_consumers: -1,
  max_ack_pending: -1,
  memory_max_stream_bytes: -1,
  storage_max_stream_bytes: -1,
  max_bytes_required: false,
});

function accountInfo(view: JsAccountView, req: JsApiRequest): void {
  const account = view as JsAccount;
  const body: Record<string, unknown> = {
    type: ACCOUNT_INFO_TYPE,
    memory: account.usage("memory"),
    storage: account.usage("file"),
    streams: account.streams.size,
    consumers: account.numConsumers(),
    limits: NO_LIMITS,
  };
  if (account.domain) body.domain = account.domain;
  // nats-server reads the totals before it counts the request being answered.
  body.api = { total: account.apiTotal, errors: account.apiErrors };
  account.respondCounted(req, body, false);
}

export const accountApiHandlers: readonly JsApiHandlerEntry[] = [{ pattern: "INFO", handler: accountInfo }];
