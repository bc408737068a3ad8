// Adapts natsgate's JetStream (src/jetstream) to the JetStreamMonitorView /jsz, /varz, /healthz and
// /metrics read. Type-only imports: monitoring never calls into JetStream beyond these reads.

import { statfsSync } from "node:fs";
import { totalmem } from "node:os";
import type { JetStream } from "../jetstream/jetstream.js";
import type { JsAccount } from "../jetstream/jetstream-account.js";
import type { Stream } from "../jetstream/stream.js";
import { formatCreated } from "../jetstream/stream-meta.js";
import type {
  JetStreamAccountMonitorView,
  JetStreamConfigJson,
  JetStreamMonitorView,
  JetStreamStreamMonitorView,
} from "./jsz.js";

export function jetStreamMonitorView(js: JetStream): JetStreamMonitorView {
  return {
    // enableAccount() recovers an account's streams synchronously, before the server listens: once the
    // server holds a JetStream its streams are back.
    ready: true,
    config: () => configJson(js),
    accounts: () => [...js.accounts.values()].map(accountView),
  };
}

function configJson(js: JetStream): JetStreamConfigJson {
  const o = js.options;
  const out: JetStreamConfigJson = {
    max_memory: o.maxMemory >= 0 ? o.maxMemory : dynamicMemory(),
    max_storage: o.maxFile >= 0 ? o.maxFile : dynamicStorage(js.storeDir),
    store_dir: js.storeDir,
  };
  if (js.domain) out.domain = js.domain;
  return out;
}

/** nats-server's dynamic max_memory: 75% of system memory. */
function dynamicMemory(): number {
  return Math.floor((totalmem() * 3) / 4);
}

/** nats-server's dynamic max_storage: 75% of the free space where the store lives (1 TB if unknown). */
function dynamicStorage(dir: string): number {
  try {
    const st = statfsSync(dir);
    return Math.floor((Number(st.bavail) * Number(st.bsize) * 3) / 4);
  } catch {
    return 1024 ** 4;
  }
}

function accountView(a: JsAccount): JetStreamAccountMonitorView {
  return {
    name: a.name,
    usage: () => ({
      memory: a.usage("memory"),
      storage: a.usage("file"),
      reservedMemory: a.reserved("memory"),
      reservedStorage: a.reserved("file"),
      apiTotal: a.apiTotal,
      apiErrors: a.apiErrors,
    }),
    streams: () => a.sortedStreams().map(streamView),
  };
}

function streamView(s: Stream): JetStreamStreamMonitorView {
  return {
    name: s.name,
    created: formatCreated(s.created),
    config: () => s.infoJson().info.config as Record<string, unknown>,
    state: () => s.stateJson(),
    consumers: () => {
      const out: Record<string, unknown>[] = [];
      for (const c of s.consumers.values()) {
        const info = (c as { info?: () => object }).info?.();
        if (info !== undefined) out.push({ ...info });
      }
      return out;
    },
  };
}
