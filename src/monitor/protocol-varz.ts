// The `websocket` and `mqtt` sections of /varz (nats-server's WebsocketOptsVarz and MQTTOptsVarz): the
// configured options with the bound port, `omitempty` fields left out when unset, `{}` when off.

import type { MqttOptions, WebsocketOptions } from "../config/options.js";
import { msToNs } from "./go-format.js";

export function websocketVarz(
  ws: WebsocketOptions | undefined,
  clientHost: string,
  port: number,
): Record<string, unknown> {
  if (ws === undefined) return {};
  const v: Record<string, unknown> = { host: ws.host ?? clientHost, port };
  if (ws.advertise) v.advertise = ws.advertise;
  if (ws.noAuthUser) v.no_auth_user = ws.noAuthUser;
  if (ws.jwtCookie) v.jwt_cookie = ws.jwtCookie;
  if (ws.handshakeTimeout) v.handshake_timeout = msToNs(ws.handshakeTimeout);
  if (ws.authTimeout) v.auth_timeout = ws.authTimeout / 1000;
  if (ws.noTls) v.no_tls = true;
  if (ws.sameOrigin) v.same_origin = true;
  if (ws.allowedOrigins && ws.allowedOrigins.length > 0) v.allowed_origins = [...ws.allowedOrigins];
  if (ws.compression) v.compression = true;
  return v;
}

export function mqttVarz(
  mqtt: MqttOptions | undefined,
  clientHost: string,
  port: number,
): Record<string, unknown> {
  if (mqtt === undefined) return {};
  const v: Record<string, unknown> = { host: mqtt.host ?? clientHost, port };
  if (mqtt.noAuthUser) v.no_auth_user = mqtt.noAuthUser;
  if (mqtt.authTimeout) v.auth_timeout = mqtt.authTimeout / 1000;
  v.tls_timeout = 2;
  if (mqtt.jsDomain) v.js_domain = mqtt.jsDomain;
  // Only what the block sets: nats-server applies its defaults elsewhere and shows these as zero (omitted).
  if (mqtt.ackWait) v.ack_wait = msToNs(mqtt.ackWait);
  if (mqtt.maxAckPending) v.max_ack_pending = mqtt.maxAckPending;
  return v;
}
