// PUBACK, PUBREC, PUBREL and PUBCOMP (spec 3.4-3.7, 4.3): the acknowledgement side of the QoS 1/2 flows.

import type { MqttConnection } from "./mqtt-connection.js";
import { encodeAck } from "./packet-encoder.js";
import { type AckPacket, PacketType, ReasonCode } from "./packets.js";

export function handleAck(conn: MqttConnection, p: AckPacket): void {
  const session = conn.session;
  if (session === null) return;
  switch (p.type) {
    case PacketType.PUBACK:
      // An unknown id is ignored (the client may ack twice after a reconnect).
      session.complete(p.packetId, "publish");
      return;
    case PacketType.PUBREC:
      if (session.received(p.packetId, p.reasonCode >= 0x80)) {
        if (p.reasonCode < 0x80) conn.sendPubrel(p.packetId);
      } else {
        // MQTT 5 4.3.3: PUBREL with 0x92 for an id we do not know.
        conn.write(encodeAck(conn.v5, PacketType.PUBREL, p.packetId, ReasonCode.packetIdentifierNotFound));
      }
      return;
    case PacketType.PUBREL: {
      const known = session.inboundQos2.delete(p.packetId);
      conn.write(
        encodeAck(conn.v5, PacketType.PUBCOMP, p.packetId, known ? 0 : ReasonCode.packetIdentifierNotFound),
      );
      return;
    }
    case PacketType.PUBCOMP:
      session.complete(p.packetId, "pubrel");
      return;
  }
}
