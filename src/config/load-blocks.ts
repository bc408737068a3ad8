// Maps the `jetstream` and `authorization` blocks of a config tree onto ServerOptions, with
// nats-server's key spellings (server/opts.go parseJetStream, parseAuthorization).

import { type BlockSpec, passThroughTable, type WalkTarget, walkBlock } from "./block-walker.js";
import type { ServerOptions } from "./options.js";
import { isConfigMap } from "./tree-meta.js";
import { storageSize } from "./units.js";
import { describeValue, type KeyContext, readBool, readDurationMs, readString } from "./value-readers.js";

/** What the block mappers share with the top-level mapper. */
export interface LoadState {
  opts: ServerOptions;
  warnings: string[];
  target: WalkTarget;
  /** Set once store_dir was given (top level or in jetstream): a second one is an error, as in nats-server. */
  storeDirSet: boolean;
  hostSet: boolean;
  httpHostSet: boolean;
}

function setStoreDir(s: LoadState, c: KeyContext, v: unknown): void {
  if (s.storeDirSet) c.fail("Duplicate 'store_dir' configuration");
  s.opts.jetstream.storeDir = readString(c, v);
  s.storeDirSet = true;
}

/** Top-level `store_dir` is accepted by nats-server as well as the one inside `jetstream {}`. */
export const setTopLevelStoreDir = setStoreDir;

function readStorageSize(c: KeyContext, v: unknown): number {
  try {
    return storageSize(v);
  } catch (err) {
    c.fail((err as Error).message);
  }
}

const JETSTREAM_BLOCK: BlockSpec<LoadState> = {
  handlers: {
    store: setStoreDir,
    store_dir: setStoreDir,
    storedir: setStoreDir,
    max_memory_store: (s, c, v) => {
      s.opts.jetstream.maxMemory = readStorageSize(c, v);
    },
    max_mem_store: (s, c, v) => {
      s.opts.jetstream.maxMemory = readStorageSize(c, v);
    },
    max_mem: (s, c, v) => {
      s.opts.jetstream.maxMemory = readStorageSize(c, v);
    },
    max_file_store: (s, c, v) => {
      s.opts.jetstream.maxFile = readStorageSize(c, v);
    },
    max_file: (s, c, v) => {
      s.opts.jetstream.maxFile = readStorageSize(c, v);
    },
    domain: (s, c, v) => {
      s.opts.jetstream.domain = readString(c, v);
    },
    enable: (s, c, v) => {
      s.opts.jetstream.enabled = readBool(c, v);
    },
    enabled: (s, c, v) => {
      s.opts.jetstream.enabled = readBool(c, v);
    },
    sync_interval: setSyncInterval,
    sync: setSyncInterval,
  },
  passThrough: passThroughTable({
    encryption_key: ["key", "ek"],
    cipher: [],
    extension_hint: [],
    limits: [],
    unique_tag: [],
    max_outstanding_catchup: [],
    max_buffered_msgs: [],
    max_buffered_size: [],
    request_queue_limit: [],
    strict: [],
  }),
};

function setSyncInterval(s: LoadState, c: KeyContext, v: unknown): void {
  if (typeof v === "string" && v.toLowerCase() === "always") {
    s.opts.jetstream.syncAlways = true;
    return;
  }
  const ms = readDurationMs(c, v, s.warnings);
  if (ms <= 0) c.fail(`sync_interval must be positive, got ${describeValue(v)}`);
  s.opts.jetstream.syncInterval = ms;
  s.opts.jetstream.syncAlways = false;
}

/** `jetstream: true`, `jetstream: enabled`, or a block (which enables unless `enabled: false`). */
export function mapJetStream(s: LoadState, c: KeyContext, v: unknown): void {
  if (typeof v === "boolean") {
    s.opts.jetstream.enabled = v;
    return;
  }
  if (typeof v === "string") {
    const word = v.toLowerCase();
    if (word === "enabled" || word === "enable") s.opts.jetstream.enabled = true;
    else if (word === "disabled" || word === "disable") s.opts.jetstream.enabled = false;
    else c.fail(`Expected 'enabled' or 'disabled' for string value, got '${v}'`);
    return;
  }
  if (!isConfigMap(v)) c.fail(`Expected map, bool or string to define JetStream, got ${describeValue(v)}`);
  s.opts.jetstream.enabled = true;
  walkBlock(v, c.path, JETSTREAM_BLOCK, s, keepWholeBlock(s, "jetstream", v));
}

/** A walk target that keeps the whole raw block in `extra` when any of its keys is not mapped yet. */
function keepWholeBlock(s: LoadState, name: string, block: Record<string, unknown>): WalkTarget {
  return {
    file: s.target.file,
    unknownKeys: s.target.unknownKeys,
    keep: () => {
      s.opts.extra[name] = block;
    },
  };
}

const AUTHORIZATION_BLOCK: BlockSpec<LoadState> = {
  handlers: {
    user: setUser,
    username: setUser,
    pass: setPassword,
    password: setPassword,
    token: (s, c, v) => {
      s.opts.authToken = readString(c, v);
    },
    timeout: (s, c, v) => {
      // nats-server takes seconds (integer or float); a duration string is accepted too.
      const ms = typeof v === "number" ? v * 1000 : readDurationMs(c, v, undefined);
      if (ms < 0) c.fail(`value can not be negative, got ${describeValue(v)}`);
      s.opts.authTimeout = ms;
    },
  },
  passThrough: passThroughTable({
    users: [],
    default_permissions: ["default_permission", "permissions"],
    auth_callout: ["callout"],
  }),
};

function setUser(s: LoadState, c: KeyContext, v: unknown): void {
  s.opts.username = readString(c, v);
}

function setPassword(s: LoadState, c: KeyContext, v: unknown): void {
  s.opts.password = readString(c, v);
}

/** `authorization { user, password, token, timeout }`; users and permissions are kept raw in `extra`. */
export function mapAuthorization(s: LoadState, c: KeyContext, v: unknown): void {
  if (!isConfigMap(v)) c.fail(`expected a map, got ${describeValue(v)}`);
  walkBlock(v, c.path, AUTHORIZATION_BLOCK, s, keepWholeBlock(s, "authorization", v));
  const o = s.opts;
  if ((o.username !== undefined || o.password !== undefined) && o.authToken !== undefined)
    c.fail("Cannot have a user/pass and token");
}
