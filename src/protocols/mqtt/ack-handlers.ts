// PUBACK, PUBREC, PUBREL and PUBCOMP (spec 3.4-3.7, 4.3): the acknowledgement side of the QoS 1/2 flows.

import type { MqttConnection } from "./mqtt-connection.js";
import { encodeAck } from "./packet-encoder.js";
import { type AckPacket, MqttProtocolError, PacketType, ReasonCode } from "./packets.js";

export function handleAck(conn: MqttConnection, p: AckPacket): void {
  const session = conn.session;
  if (session === null) return;
  const msg = session.inflight.get(p.packetId);
  // The wrong acknowledgement for a message in flight (PUBREC for QoS 1, PUBACK for QoS 2, ...) is a protocol error.
  if (msg !== undefined && !fits(p.type, msg.qos, msg.state))
    throw new MqttProtocolError(ReasonCode.protocolError, "acknowledgement does not match the QoS flow");
  switch (p.type) {
    case PacketType.PUBACK:
      // An unknown id is ignored (the client may ack twice after a reconnect).
      session.complete(p.packetId, "publish");
      return;
    case PacketType.PUBREC:
      // Unknown ids get a PUBREL too, so a client that lost track can finish its flow (as mosquitto).
      session.received(p.packetId, p.reasonCode >= 0x80);
      if (p.reasonCode < 0x80) conn.sendPubrel(p.packetId);
      return;
    case PacketType.PUBREL:
      // Unknown ids are completed too: after a reconnect the state may be gone (4.3.3), mosquitto does the same.
      session.inboundReleased(p.packetId);
      conn.write(encodeAck(conn.v5, PacketType.PUBCOMP, p.packetId));
      return;
    case PacketType.PUBCOMP:
      session.complete(p.packetId, "pubrel");
      return;
  }
}

function fits(type: number, qos: number, state: string): boolean {
  if (type === PacketType.PUBACK) return qos === 1;
  // A repeated PUBREC (ours PUBREL was lost) is answered with PUBREL again.
  if (type === PacketType.PUBREC) return qos === 2;
  if (type === PacketType.PUBCOMP) return qos === 2 && state === "pubrel";
  return true;
}
