// Maps the `mqtt { }` block of a config tree onto ServerOptions.mqtt, with nats-server 2.9.10's key
// spellings (server/opts.go parseMQTT): listen/port/host, authorization, no_auth_user, ack_wait, ...

import { type BlockSpec, passThroughTable, type WalkTarget, walkBlock } from "./block-walker.js";
import type { LoadState } from "./load-blocks.js";
import type { MqttOptions } from "./options.js";
import { isConfigMap } from "./tree-meta.js";
import {
  describeValue,
  type KeyContext,
  readBool,
  readDurationMs,
  readHostPort,
  readIntIn,
  readPort,
  readString,
} from "./value-readers.js";

interface MqttState {
  mqtt: MqttOptions;
  tls: { certFile?: string; keyFile?: string; caFile?: string; verify?: boolean };
  warnings: string[];
}

type Handler = (s: MqttState, c: KeyContext, v: unknown) => void;

const setHost: Handler = (s, c, v) => {
  s.mqtt.host = readString(c, v);
};
const setAckWait: Handler = (s, c, v) => {
  const ms = readDurationMs(c, v, s.warnings);
  if (ms <= 0) c.fail("ack wait must be a positive value");
  s.mqtt.ackWait = ms;
};
const setMaxAckPending: Handler = (s, c, v) => {
  s.mqtt.maxAckPending = readIntIn(c, v, 0, 65535);
};

const AUTH_BLOCK: BlockSpec<MqttState> = {
  handlers: {
    user: (s, c, v) => {
      s.mqtt.username = readString(c, v);
    },
    username: (s, c, v) => {
      s.mqtt.username = readString(c, v);
    },
    pass: (s, c, v) => {
      s.mqtt.password = readString(c, v);
    },
    password: (s, c, v) => {
      s.mqtt.password = readString(c, v);
    },
    token: (s, c, v) => {
      s.mqtt.token = readString(c, v);
    },
    timeout: (s, c, v) => {
      s.mqtt.authTimeout = typeof v === "number" ? v * 1000 : readDurationMs(c, v, s.warnings);
    },
  },
  passThrough: passThroughTable({ users: [], nkeys: [] }),
};

const TLS_BLOCK: BlockSpec<MqttState> = {
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
  },
  passThrough: passThroughTable({
    cipher_suites: [],
    curve_preferences: [],
    timeout: [],
    verify_and_map: [],
  }),
};

const MQTT_BLOCK: BlockSpec<MqttState> = {
  handlers: {
    listen: (s, c, v) => {
      const hp = readHostPort(c, v);
      if (hp.host) s.mqtt.host = hp.host;
      s.mqtt.port = hp.port;
    },
    port: (s, c, v) => {
      s.mqtt.port = readPort(c, v);
    },
    host: setHost,
    net: setHost,
    no_auth_user: (s, c, v) => {
      s.mqtt.noAuthUser = readString(c, v);
    },
    ack_wait: setAckWait,
    ackwait: setAckWait,
    max_ack_pending: setMaxAckPending,
    max_pending: setMaxAckPending,
    max_inflight: setMaxAckPending,
    js_domain: (s, c, v) => {
      s.mqtt.jsDomain = readString(c, v);
    },
  },
  passThrough: passThroughTable({
    stream_replicas: [],
    consumer_replicas: [],
    consumer_memory_storage: [],
    consumer_inactive_threshold: ["consumer_auto_cleanup"],
  }),
};

/** `mqtt { ... }`. Port 0 (the default) means no MQTT listener, -1 a random port, as in nats-server. */
export function mapMqtt(s: LoadState, c: KeyContext, v: unknown): void {
  if (!isConfigMap(v)) c.fail(`Expected mqtt to be a map, got ${describeValue(v)}`);
  const target: WalkTarget = {
    file: s.target.file,
    unknownKeys: s.target.unknownKeys,
    keep: () => undefined,
  };
  const state: MqttState = { mqtt: { port: 0 }, tls: {}, warnings: s.warnings };
  const handlers = {
    ...MQTT_BLOCK.handlers,
    authorization: nested(AUTH_BLOCK, target),
    authentication: nested(AUTH_BLOCK, target),
    tls: nested(TLS_BLOCK, target),
  };
  walkBlock(v, c.path, { handlers, passThrough: MQTT_BLOCK.passThrough }, state, target);
  const { certFile, keyFile } = state.tls;
  if (certFile !== undefined || keyFile !== undefined) {
    if (certFile === undefined || keyFile === undefined)
      c.fail("missing 'cert_file' or 'key_file' in mqtt tls");
    state.mqtt.tls = { certFile, keyFile, caFile: state.tls.caFile, verify: state.tls.verify };
  }
  if (state.mqtt.port === 0) {
    delete s.opts.mqtt;
    return;
  }
  if (state.mqtt.port === -1) state.mqtt.port = 0;
  s.opts.mqtt = state.mqtt;
}

function nested(spec: BlockSpec<MqttState>, target: WalkTarget): Handler {
  return (s, c, v) => {
    if (!isConfigMap(v)) c.fail(`expected a map, got ${describeValue(v)}`);
    walkBlock(v as Record<string, unknown>, c.path, spec, s, target);
  };
}
