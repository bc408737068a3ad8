// PUBLISH from a client (spec 3.3): topic aliases, topic checks, QoS 0/1/2 inbound flows
// (PUBACK, PUBREC with duplicate suppression until PUBREL), retained messages, routing into the core.

import type { MqttConnection } from "./mqtt-connection.js";
import { isUtf8 } from "./packet-decoder.js";
import { encodeAck } from "./packet-encoder.js";
import { MqttProtocolError, PacketType, type PublishPacket, ReasonCode } from "./packets.js";
import { TopicError, topicNameProblem } from "./topic-mapping.js";

export function handlePublish(conn: MqttConnection, p: PublishPacket): void {
  const session = conn.session;
  const account = conn.account;
  if (session === null || account === null) return;
  const v5 = conn.v5;
  const topic = resolveTopic(conn, p);
  // An empty topic or wildcards in it: malformed [MQTT-3.3.2-1,2] (mosquitto's code too).
  const problem = topicNameProblem(topic);
  if (problem !== null) throw new MqttProtocolError(ReasonCode.malformedPacket, problem);
  const responseTopic = p.properties.responseTopic;
  if (responseTopic !== undefined && topicNameProblem(responseTopic) !== null)
    throw new MqttProtocolError(ReasonCode.protocolError, "invalid response topic");
  if (v5 && p.properties.payloadFormatIndicator === 1 && !isUtf8(p.payload)) {
    refusePublish(conn, p, ReasonCode.payloadFormatInvalid, "payload is not UTF-8");
    return;
  }
  if (p.qos === 2) {
    if (session.inboundQos2.has(p.packetId)) {
      // Same packet id before PUBREL: a re-send, already routed once [MQTT-4.3.3-2].
      conn.write(encodeAck(v5, PacketType.PUBREC, p.packetId));
      return;
    }
    if (session.inboundQos2.size >= conn.ctx.settings.receiveMaximum && v5)
      throw new MqttProtocolError(ReasonCode.receiveMaximumExceeded, "receive maximum exceeded");
  }
  let delivered: number;
  try {
    delivered = conn.ctx.broker.publish(session, account, topic, p.qos, p.retain, p.properties, p.payload);
  } catch (err) {
    if (!(err instanceof TopicError)) throw err;
    // A topic NATS cannot carry ('.' or ' ', as nats-server 2.9.10): closes the connection.
    throw new MqttProtocolError(ReasonCode.topicNameInvalid, err.message);
  }
  // MQTT 5 PUBACK says 0x10 when nobody matched (as mosquitto); PUBREC stays plain success, as mosquitto's.
  const noMatch = v5 && delivered === 0 ? ReasonCode.noMatchingSubscribers : 0;
  if (p.qos === 1) conn.write(encodeAck(v5, PacketType.PUBACK, p.packetId, noMatch));
  else if (p.qos === 2) {
    session.inboundReceived(p.packetId);
    conn.write(encodeAck(v5, PacketType.PUBREC, p.packetId));
  }
}

/** MQTT 5 topic alias (3.3.2.3.4): an alias with a topic sets it, an alias alone uses it. */
function resolveTopic(conn: MqttConnection, p: PublishPacket): string {
  const alias = p.properties.topicAlias;
  if (alias === undefined) return p.topic;
  if (alias > conn.ctx.settings.topicAliasMaximum)
    throw new MqttProtocolError(ReasonCode.topicAliasInvalid, "topic alias out of range");
  if (p.topic.length > 0) {
    conn.topicAliases.set(alias, p.topic);
    return p.topic;
  }
  const topic = conn.topicAliases.get(alias);
  if (topic === undefined) throw new MqttProtocolError(ReasonCode.protocolError, "unknown topic alias");
  return topic;
}

function refusePublish(conn: MqttConnection, p: PublishPacket, reason: number, why: string): void {
  conn.debug(`MQTT PUBLISH refused: ${why}`);
  if (p.qos === 1) conn.write(encodeAck(true, PacketType.PUBACK, p.packetId, reason));
  else if (p.qos === 2) conn.write(encodeAck(true, PacketType.PUBREC, p.packetId, reason));
}
