// MQTT control packet types, reason codes and the decoded packet shapes (3.1.1 and 5.0) that the
// decoder produces and the handlers consume.

export const PacketType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
  AUTH: 15,
} as const;

/** MQTT 5 reason codes (spec 2.4) used by this server. */
export const ReasonCode = {
  success: 0x00,
  grantedQos1: 0x01,
  grantedQos2: 0x02,
  disconnectWithWill: 0x04,
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecificError: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badUserNameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdentifierInUse: 0x91,
  packetIdentifierNotFound: 0x92,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
  payloadFormatInvalid: 0x99,
  qosNotSupported: 0x9b,
  sharedSubscriptionsNotSupported: 0x9e,
} as const;

/** MQTT 3.1.1 CONNACK return codes (spec 3.2.2.3). */
export const ConnackCode311 = {
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUserNameOrPassword: 4,
  notAuthorized: 5,
} as const;

/** A protocol violation: the connection closes, with `reason` in a DISCONNECT for MQTT 5 clients. */
export class MqttProtocolError extends Error {
  constructor(
    readonly reason: number,
    message: string,
  ) {
    super(message);
  }
}

export type UserProperties = [string, string][];

/** MQTT 5 properties, decoded; only those present are set. */
export interface Properties {
  payloadFormatIndicator?: number;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  subscriptionIdentifiers?: number[];
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Buffer;
  requestProblemInformation?: number;
  willDelayInterval?: number;
  requestResponseInformation?: number;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQos?: number;
  retainAvailable?: number;
  userProperties?: UserProperties;
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: number;
  subscriptionIdentifierAvailable?: number;
  sharedSubscriptionAvailable?: number;
}

export interface WillMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: Properties;
}

export interface ConnectPacket {
  type: 1;
  protocolName: string;
  /** 3 (3.1), 4 (3.1.1) or 5. */
  protocolLevel: number;
  clean: boolean;
  keepAlive: number;
  clientId: string;
  will: WillMessage | null;
  username: string | undefined;
  password: Buffer | undefined;
  properties: Properties;
}

export interface PublishPacket {
  type: 3;
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId: number;
  properties: Properties;
  payload: Buffer;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP. */
export interface AckPacket {
  type: 4 | 5 | 6 | 7;
  packetId: number;
  reasonCode: number;
  properties: Properties;
}

export interface SubscriptionRequest {
  filter: string;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
}

export interface SubscribePacket {
  type: 8;
  packetId: number;
  properties: Properties;
  subscriptions: SubscriptionRequest[];
}

export interface UnsubscribePacket {
  type: 10;
  packetId: number;
  properties: Properties;
  filters: string[];
}

export interface SimplePacket {
  type: 12 | 14 | 15;
  reasonCode: number;
  properties: Properties;
}

export type InboundPacket =
  | ConnectPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | UnsubscribePacket
  | SimplePacket;
