// CONNECT (spec 3.1): protocol level, client id rules, authentication, session take-over and
// resumption, will validation; answers with CONNACK (3.1.1 return codes or MQTT 5 reason codes).

import { randomBytes } from "node:crypto";
import { NEVER_EXPIRES } from "./mqtt-broker.js";
import type { MqttConnection } from "./mqtt-connection.js";
import { knownProtocol } from "./packet-decoder.js";
import { encodeConnack } from "./packet-encoder.js";
import {
  ConnackCode311,
  type ConnectPacket,
  MqttProtocolError,
  type Properties,
  ReasonCode,
} from "./packets.js";
import { mqttTopicToNatsSubject, TopicError, topicNameProblem } from "./topic-mapping.js";

/** MQTT 5 reason code → the 3.1.1 CONNACK return code closest to it. */
function code311(reason: number): number {
  switch (reason) {
    case ReasonCode.unsupportedProtocolVersion:
      return ConnackCode311.unacceptableProtocolVersion;
    case ReasonCode.clientIdentifierNotValid:
      return ConnackCode311.identifierRejected;
    case ReasonCode.badUserNameOrPassword:
      return ConnackCode311.badUserNameOrPassword;
    case ReasonCode.notAuthorized:
      return ConnackCode311.notAuthorized;
    default:
      return ConnackCode311.serverUnavailable;
  }
}

function refuse(conn: MqttConnection, p: ConnectPacket, reason: number, why: string): void {
  const v5 = p.protocolLevel === 5;
  conn.write(encodeConnack(v5, false, v5 ? reason : code311(reason), v5 ? {} : undefined));
  conn.debug(`MQTT CONNECT refused: ${why}`);
  conn.close(null, false);
}

export function handleConnect(conn: MqttConnection, p: ConnectPacket): void {
  if (!knownProtocol(p.protocolName, p.protocolLevel)) {
    if (p.protocolName !== "MQTT" && p.protocolName !== "MQIsdp") {
      // [MQTT-3.1.2-1]: a wrong protocol name closes without CONNACK.
      conn.debug(`MQTT CONNECT with protocol name ${JSON.stringify(p.protocolName)}`);
      conn.close(null, false);
      return;
    }
    // [MQTT-3.1.2-2]: unsupported level → return code 1 (MQTT 5 clients would send level 5: 0x84).
    conn.write(encodeConnack(false, false, ConnackCode311.unacceptableProtocolVersion));
    conn.debug(`MQTT CONNECT with unsupported protocol level ${p.protocolLevel}`);
    conn.close(null, false);
    return;
  }
  const v5 = p.protocolLevel === 5;
  if (v5 && p.properties.authenticationMethod !== undefined) {
    refuse(conn, p, ReasonCode.badAuthenticationMethod, "no enhanced authentication method is supported");
    return;
  }
  if (p.will !== null) {
    const problem = topicNameProblem(p.will.topic);
    if (problem !== null) throw new MqttProtocolError(ReasonCode.topicNameInvalid, `will topic: ${problem}`);
    try {
      mqttTopicToNatsSubject(p.will.topic);
    } catch (err) {
      if (err instanceof TopicError) throw new MqttProtocolError(ReasonCode.topicNameInvalid, err.message);
      throw err;
    }
  }
  let clientId = p.clientId;
  let assigned: string | undefined;
  if (clientId.length === 0) {
    if (!p.clean && !v5) {
      refuse(conn, p, ReasonCode.clientIdentifierNotValid, "empty client id needs the clean session flag");
      return;
    }
    if (p.protocolLevel === 3) {
      // MQTT 3.1 requires a client id (1-23 characters).
      refuse(conn, p, ReasonCode.clientIdentifierNotValid, "empty client id");
      return;
    }
    clientId = `auto-${randomBytes(12).toString("hex")}`;
    if (v5) assigned = clientId;
  }
  const ctx = conn.ctx;
  const identity = ctx.authenticator.authenticate(
    {
      user: p.username,
      pass: p.password?.toString("utf8"),
      // A token travels in the password field (nats-server: MQTT token auth).
      authToken: p.username === undefined ? p.password?.toString("utf8") : undefined,
    },
    { kind: "mqtt", remoteAddress: conn.transport.remoteAddress },
  );
  const account = identity === null ? null : ctx.lookupAccount(identity.account);
  if (account === null) {
    refuse(conn, p, ReasonCode.badUserNameOrPassword, "authentication error");
    return;
  }
  conn.version = p.protocolLevel;
  conn.clientId = clientId;
  conn.keepAlive = p.keepAlive;
  conn.will = p.will;
  conn.account = account;
  conn.user = p.username;
  account.numConnections++;
  const props = p.properties;
  if (v5) {
    conn.sessionExpiry = props.sessionExpiryInterval ?? 0;
    if (props.receiveMaximum !== undefined) conn.sendQuota = Math.min(conn.sendQuota, props.receiveMaximum);
    if (props.maximumPacketSize !== undefined) conn.clientMaxPacket = props.maximumPacketSize;
  } else {
    // 3.1.1: a clean session ends with the connection; otherwise it persists [MQTT-3.1.2-4..6].
    conn.sessionExpiry = p.clean ? 0 : NEVER_EXPIRES;
  }
  // MQTT 3.1 has no session present flag: that CONNACK byte is reserved.
  const connack = (present: boolean) =>
    encodeConnack(v5, present && p.protocolLevel > 3, 0, v5 ? connackProperties(conn, assigned) : undefined);
  if (conn.clientMaxPacket > 0 && connack(false).length > conn.clientMaxPacket) {
    // The client could not even take our CONNACK (3.1.2.11.4): nothing useful can be sent, close.
    conn.version = 0;
    conn.debug("MQTT maximum packet size smaller than CONNACK");
    conn.close(null, false);
    return;
  }
  const { session, present } = ctx.broker.attach(clientId, account, conn, p.clean);
  session.expiryInterval = conn.sessionExpiry;
  session.connection = conn;
  conn.session = session;
  ctx.broker.sessionChanged(session);
  conn.write(connack(present));
  if (present) session.resume();
}

/** MQTT 5 CONNACK properties, in mosquitto's order so replies compare byte for byte. */
function connackProperties(conn: MqttConnection, assigned: string | undefined): Properties {
  const s = conn.ctx.settings;
  const props: Properties = {};
  if (assigned !== undefined) props.assignedClientIdentifier = assigned;
  props.topicAliasMaximum = s.topicAliasMaximum;
  props.receiveMaximum = s.receiveMaximum;
  return props;
}
