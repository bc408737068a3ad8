// One MQTT network connection (TCP or WebSocket): framing, the CONNECT gate, dispatch to the
// per-packet handlers, batched writes, keep-alive, and closing with the right reason code.

import type { Authenticator } from "../../auth/authenticator.js";
import type { Account } from "../../core/account.js";
import type { Transport } from "../../core/transport.js";
import type { Logger } from "../../util/logger.js";
import { OutboundBuffer } from "../../util/outbound-buffer.js";
import { handleAck } from "./ack-handlers.js";
import { handleConnect } from "./connect-handler.js";
import type { MqttBroker, OwnedConnection } from "./mqtt-broker.js";
import type { MqttSession, OutboundMessage, SessionConnection } from "./mqtt-session.js";
import { decodePacket, type Frame, MqttFramer } from "./packet-decoder.js";
import {
  encodeAck,
  encodeDisconnect,
  PINGRESP,
  publishProperties,
  publishRemaining,
  publishWireSize,
  writePublish,
} from "./packet-encoder.js";
import {
  type InboundPacket,
  MqttProtocolError,
  PacketType,
  ReasonCode,
  type WillMessage,
} from "./packets.js";
import { handlePublish } from "./publish-handler.js";
import { handleSubscribe, handleUnsubscribe } from "./subscribe-handler.js";

/** Settings of the `mqtt {}` block a connection needs, resolved to numbers. */
export interface MqttConnectionSettings {
  /** Largest packet accepted from a client (bytes, fixed header included). */
  maxPacketSize: number;
  /** Milliseconds for the first packet (CONNECT) to arrive. */
  connectTimeout: number;
  /** In-flight QoS 1/2 messages towards one client (nats-server max_ack_pending). */
  maxAckPending: number;
  /** Bytes queued towards a client before it is cut off as a slow consumer. */
  maxPending: number;
  /** Topic aliases a client may use towards us (MQTT 5 CONNACK topic alias maximum). */
  topicAliasMaximum: number;
  /** QoS 2 publishes a client may have unreleased (MQTT 5 CONNACK receive maximum). */
  receiveMaximum: number;
}

export interface MqttConnectionContext {
  readonly broker: MqttBroker;
  readonly logger: Logger;
  readonly authenticator: Authenticator;
  readonly settings: MqttConnectionSettings;
  lookupAccount(name: string): Account | null;
  connectionClosed(conn: MqttConnection): void;
}

export class MqttConnection implements SessionConnection, OwnedConnection {
  /** 0 until CONNECT is accepted; then 3, 4 or 5. */
  version = 0;
  clientId = "";
  account: Account | null = null;
  session: MqttSession | null = null;
  will: WillMessage | null = null;
  keepAlive = 0;
  /** The client's receive maximum (MQTT 5), capped by max_ack_pending. */
  sendQuota: number;
  /** The client's maximum packet size (MQTT 5); larger messages are not sent to it. */
  clientMaxPacket = 0;
  /** Topic aliases the client set up (MQTT 5 3.3.2.3.4). */
  readonly topicAliases = new Map<number, string>();
  sessionExpiry = 0;
  closed = false;
  /** The username of CONNECT once accepted (monitoring). */
  user: string | undefined = undefined;
  readonly startedAt = new Date();
  /** Counters for monitoring (/connz, /metrics): plain increments. */
  msgsIn = 0;
  msgsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  private readonly framer: MqttFramer;
  private readonly out = new OutboundBuffer();
  private flushScheduled = false;
  private lastActivity = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private readonly flushNow = () => this.flush();

  constructor(
    readonly cid: number,
    readonly transport: Transport,
    readonly ctx: MqttConnectionContext,
  ) {
    this.framer = new MqttFramer(ctx.settings.maxPacketSize);
    this.sendQuota = ctx.settings.maxAckPending;
  }

  get v5(): boolean {
    return this.version === 5;
  }

  get connected(): boolean {
    return this.version !== 0;
  }

  begin(): void {
    this.transport.start({
      data: (chunk) => this.onData(chunk),
      drain: () => undefined,
      closed: () => this.onTransportClosed(),
    });
    this.timer = setTimeout(() => {
      this.debug("MQTT CONNECT not received in time");
      this.close(null, true);
    }, this.ctx.settings.connectTimeout);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.bytesIn += chunk.length;
    try {
      this.framer.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      this.protocolFailure(err);
    }
  }

  private onFrame(frame: Frame): boolean {
    if (this.closed) return false;
    if (!this.connected && frame.header >> 4 !== PacketType.CONNECT) {
      this.debug("MQTT first packet is not CONNECT");
      this.close(null, true);
      return false;
    }
    const packet = decodePacket(frame, this.version);
    this.dispatch(packet);
    return !this.closed;
  }

  private dispatch(packet: InboundPacket): void {
    switch (packet.type) {
      case PacketType.CONNECT:
        if (this.connected)
          throw new MqttProtocolError(ReasonCode.protocolError, "received a second CONNECT packet");
        handleConnect(this, packet);
        if (this.connected) this.startKeepAlive();
        return;
      case PacketType.PUBLISH:
        this.msgsIn++;
        handlePublish(this, packet);
        return;
      case PacketType.PUBACK:
      case PacketType.PUBREC:
      case PacketType.PUBREL:
      case PacketType.PUBCOMP:
        handleAck(this, packet);
        return;
      case PacketType.SUBSCRIBE:
        handleSubscribe(this, packet);
        return;
      case PacketType.UNSUBSCRIBE:
        handleUnsubscribe(this, packet);
        return;
      case PacketType.PINGREQ:
        this.write(PINGRESP);
        return;
      case PacketType.DISCONNECT:
        this.onDisconnect(packet.reasonCode, packet.properties.sessionExpiryInterval);
        return;
      default:
        // AUTH: no enhanced authentication method is supported (CONNECT refused any), so it is a protocol error.
        throw new MqttProtocolError(ReasonCode.protocolError, "unexpected AUTH packet");
    }
  }

  private onDisconnect(reason: number, sessionExpiry: number | undefined): void {
    if (sessionExpiry !== undefined) {
      // MQTT 5 3.14.2.2.2: a session that was 0 at CONNECT cannot be made non-zero at DISCONNECT.
      if (this.sessionExpiry === 0 && sessionExpiry !== 0)
        throw new MqttProtocolError(ReasonCode.protocolError, "session expiry cannot be set at DISCONNECT");
      this.sessionExpiry = sessionExpiry;
      if (this.session !== null) this.session.expiryInterval = sessionExpiry;
    }
    // Normal disconnection discards the will [MQTT-3.14.4-3]; 0x04 keeps it (MQTT 5).
    if (reason !== ReasonCode.disconnectWithWill) this.will = null;
    this.close(null, false);
  }

  private startKeepAlive(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.keepAlive === 0) return;
    // [MQTT-3.1.2-24]: one and a half times the keep-alive without a packet closes the connection.
    const limit = this.keepAlive * 1500;
    const check = () => {
      const idle = Date.now() - this.lastActivity;
      if (idle >= limit) {
        this.debug("MQTT keep-alive timeout");
        this.close(ReasonCode.keepAliveTimeout, true);
        return;
      }
      this.timer = setTimeout(check, limit - idle);
    };
    this.timer = setTimeout(check, limit);
  }

  // ---- outbound ----

  write(buf: Buffer): void {
    if (this.closed) return;
    this.out.append(buf);
    this.bytesOut += buf.length;
    this.queued();
  }

  /** After bytes were queued: the max_pending check, then one flush at the end of this turn. */
  private queued(): void {
    if (this.out.pending + this.transport.bufferedBytes > this.ctx.settings.maxPending) {
      this.debug("MQTT slow consumer");
      this.out.clear();
      this.close(null, true);
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushNow);
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.pending === 0) return;
    this.transport.write(this.out.take());
  }

  sendPublish(msg: OutboundMessage, dup: boolean): void {
    if (this.closed) return;
    const v5 = this.v5;
    let properties = msg.properties;
    if (v5 && msg.expiresAt !== 0) {
      properties = {
        ...properties,
        messageExpiryInterval: Math.max(0, Math.ceil((msg.expiresAt - Date.now()) / 1000)),
      };
    }
    const props = v5 ? publishProperties(properties) : null;
    const topicLen = Buffer.byteLength(msg.topic, "utf8");
    const remaining = publishRemaining(topicLen, msg.qos, props, msg.payload.length);
    const size = publishWireSize(remaining);
    // MQTT 5 3.1.2.11.4: a message larger than the client's maximum is discarded as if delivered.
    if (this.clientMaxPacket > 0 && size > this.clientMaxPacket) {
      if (msg.qos > 0 && this.session !== null) this.session.complete(msg.packetId, "publish");
      return;
    }
    this.msgsOut++;
    // Encoded straight into the outbound buffer: one socket write per turn however many messages.
    writePublish(this.out, msg, dup, topicLen, props, remaining);
    this.bytesOut += size;
    this.queued();
  }

  /** Epoch ms of the last data from the client. */
  get lastActivityAt(): number {
    return this.lastActivity;
  }

  sendPubrel(packetId: number): void {
    this.write(encodeAck(this.v5, PacketType.PUBREL, packetId));
  }

  // ---- closing ----

  /** A decode or protocol error: MQTT 5 clients get a DISCONNECT with the reason code first. */
  protocolFailure(err: unknown): void {
    if (err instanceof MqttProtocolError) {
      this.debug(`MQTT protocol error: ${err.message}`);
      this.close(err.reason, true);
      return;
    }
    this.ctx.logger.error({ cid: this.cid }, `MQTT internal error: ${(err as Error).stack ?? String(err)}`);
    this.close(ReasonCode.unspecifiedError, true);
  }

  takenOver(): void {
    this.debug("MQTT client id taken over by a new connection");
    this.close(ReasonCode.sessionTakenOver, true);
  }

  /**
   * Closes the connection. `reason` is sent in a DISCONNECT to MQTT 5 clients after CONNACK;
   * `abnormal` publishes the will (MQTT-3.1.2-8).
   */
  close(reason: number | null, abnormal: boolean): void {
    if (this.closed) return;
    if (reason !== null && this.v5 && this.connected) this.write(encodeDisconnect(reason));
    this.flush();
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.transport.end();
    this.release(abnormal);
  }

  private onTransportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.release(true);
  }

  private release(abnormal: boolean): void {
    const broker = this.ctx.broker;
    const session = this.session;
    if (session !== null && session.connection === this) {
      if (abnormal && this.will !== null && this.account !== null)
        broker.scheduleWill(this.clientId, this.account, this.will, this.sessionExpiry);
      broker.detach(this.clientId, this, session);
    }
    this.will = null;
    this.session = null;
    if (this.account !== null) this.account.numConnections--;
    this.account = null;
    this.ctx.connectionClosed(this);
  }

  debug(msg: string): void {
    const log = this.ctx.logger;
    if (log.isLevelEnabled("debug"))
      log.debug(
        { cid: this.cid, kind: "mqtt" },
        `${this.transport.remoteAddress}:${this.transport.remotePort} - mid:${this.cid} - ${msg}`,
      );
  }
}
