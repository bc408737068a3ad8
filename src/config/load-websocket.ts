// Maps the `websocket { }` block of a config tree onto ServerOptions.websocket, with nats-server's key
// spellings and aliases (server/opts.go parseWebsocket, parseSimpleAuth, parseTLS).

import { type BlockSpec, passThroughTable, type WalkTarget, walkBlock } from "./block-walker.js";
import type { LoadState } from "./load-blocks.js";
import type { WebsocketOptions } from "./options.js";
import { isConfigMap } from "./tree-meta.js";
import { parseGoDuration } from "./units.js";
import {
  describeValue,
  type KeyContext,
  readBool,
  readHostPort,
  readPort,
  readString,
} from "./value-readers.js";

/** What the walk collects; `port` 0 in the file means "no WebSocket listener", as in nats-server. */
interface WsState {
  ws: WebsocketOptions;
  /** tls block being read (cert_file/key_file checked once it is done). */
  tls: { certFile?: string; keyFile?: string; caFile?: string; verify?: boolean };
  /** Unknown keys of nested blocks are reported with the file's others; pass-through keys are accepted. */
  target: WalkTarget;
}

type Handler = (s: WsState, c: KeyContext, v: unknown) => void;

const setHost: Handler = (s, c, v) => {
  s.ws.host = readString(c, v);
};

const setOrigins: Handler = (s, c, v) => {
  if (typeof v === "string") {
    s.ws.allowedOrigins = [v];
    return;
  }
  if (!Array.isArray(v)) c.fail(`error parsing allowed origins: unsupported type ${describeValue(v)}`);
  s.ws.allowedOrigins = (v as unknown[]).map((o) =>
    typeof o === "string"
      ? o
      : c.fail(`error parsing allowed origins: unsupported type in array ${describeValue(o)}`),
  );
};

const setCompression: Handler = (s, c, v) => {
  s.ws.compression = readBool(c, v);
};

const WEBSOCKET_BLOCK: BlockSpec<WsState> = {
  handlers: {
    listen: (s, c, v) => {
      const hp = readHostPort(c, v);
      if (hp.host) s.ws.host = hp.host;
      s.ws.port = hp.port;
    },
    port: (s, c, v) => {
      s.ws.port = readPort(c, v);
    },
    host: setHost,
    net: setHost,
    advertise: (s, c, v) => {
      s.ws.advertise = readString(c, v);
    },
    no_tls: (s, c, v) => {
      s.ws.noTls = readBool(c, v);
    },
    tls: (s, c, v) => mapTls(s, c, v),
    same_origin: (s, c, v) => {
      s.ws.sameOrigin = readBool(c, v);
    },
    allowed_origins: setOrigins,
    allowed_origin: setOrigins,
    allow_origins: setOrigins,
    allow_origin: setOrigins,
    origins: setOrigins,
    origin: setOrigins,
    handshake_timeout: (s, c, v) => {
      s.ws.handshakeTimeout = readTimeoutMs(c, v, "handshake timeout");
    },
    compress: setCompression,
    compression: setCompression,
    authorization: (s, c, v) => mapSimpleAuth(s, c, v),
    authentication: (s, c, v) => mapSimpleAuth(s, c, v),
    jwt_cookie: (s, c, v) => {
      s.ws.jwtCookie = readString(c, v);
    },
    no_auth_user: (s, c, v) => {
      s.ws.noAuthUser = readString(c, v);
    },
  },
  passThrough: {},
};

/** handshake_timeout: an integer number of seconds or a Go duration string. */
function readTimeoutMs(c: KeyContext, v: unknown, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v * 1000;
  if (typeof v === "string") {
    try {
      return parseGoDuration(v);
    } catch (err) {
      c.fail((err as Error).message);
    }
  }
  c.fail(`error parsing ${what}: unsupported type ${describeValue(v)}`);
}

const SIMPLE_AUTH_BLOCK: BlockSpec<WsState> = {
  handlers: {
    user: (s, c, v) => {
      s.ws.username = readString(c, v);
    },
    username: (s, c, v) => {
      s.ws.username = readString(c, v);
    },
    pass: (s, c, v) => {
      s.ws.password = readString(c, v);
    },
    password: (s, c, v) => {
      s.ws.password = readString(c, v);
    },
    token: (s, c, v) => {
      s.ws.token = readString(c, v);
    },
    timeout: (s, c, v) => {
      // Seconds, integer or float (parseSimpleAuth); anything else means nats-server's default of 1s.
      s.ws.authTimeout = (typeof v === "number" ? v : 1) * 1000;
      if (s.ws.authTimeout < 0) c.fail(`value can not be negative, got ${describeValue(v)}`);
    },
  },
  passThrough: {},
};

function mapSimpleAuth(s: WsState, c: KeyContext, v: unknown): void {
  if (!isConfigMap(v)) c.fail(`expected a map, got ${describeValue(v)}`);
  walkBlock(v, c.path, SIMPLE_AUTH_BLOCK, s, s.target);
}

const TLS_BLOCK: BlockSpec<WsState> = {
  handlers: {
    cert_file: (s, c, v) => {
      s.tls.certFile = readString(c, v);
    },
    key_file: (s, c, v) => {
      s.tls.keyFile = readString(c, v);
    },
    ca_file: (s, c, v) => {
      s.tls.caFile = readString(c, v);
    },
    verify: (s, c, v) => {
      s.tls.verify = readBool(c, v);
    },
    verify_and_map: (s, c, v) => {
      // Mapping certificate subjects to users belongs to the auth work; the verification part applies.
      s.tls.verify = readBool(c, v) || s.tls.verify;
    },
  },
  // Accepted as nats-server does; natsgate uses Node's TLS defaults for these.
  passThrough: passThroughTable({
    cipher_suites: [],
    curve_preferences: [],
    insecure: [],
    timeout: [],
    pinned_certs: [],
    verify_cert_and_check_known_urls: [],
    ocsp_peer: [],
    cert_store: [],
    cert_match: [],
    cert_match_by: [],
    handshake_first: ["first", "immediate"],
  }),
};

function mapTls(s: WsState, c: KeyContext, v: unknown): void {
  if (!isConfigMap(v)) c.fail(`expected a map, got ${describeValue(v)}`);
  walkBlock(v, c.path, TLS_BLOCK, s, s.target);
  const { certFile, keyFile } = s.tls;
  if (certFile === undefined || keyFile === undefined)
    c.fail("missing 'cert_file' or 'key_file' in TLS configuration");
  s.ws.tls = { certFile, keyFile, caFile: s.tls.caFile, verify: s.tls.verify };
}

/** `websocket { ... }` (alias `ws`). A port of 0 (or none) leaves the listener off; -1 is a random port. */
export function mapWebsocket(s: LoadState, c: KeyContext, v: unknown): void {
  if (!isConfigMap(v)) c.fail(`Expected websocket to be a map, got ${describeValue(v)}`);
  const target: WalkTarget = { file: s.target.file, unknownKeys: s.target.unknownKeys, keep: () => {} };
  const state: WsState = { ws: { port: 0 }, tls: {}, target };
  walkBlock(v, c.path, WEBSOCKET_BLOCK, state, target);
  // The raw block stays in `extra` as before the typed mapping existed (readers and tests of `extra`).
  s.opts.extra.websocket = v;
  if (state.ws.port === 0) {
    delete s.opts.websocket;
    return;
  }
  if (state.ws.port === -1) state.ws.port = 0;
  s.opts.websocket = state.ws;
}
