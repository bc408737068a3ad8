// Every error text a NATS client can see from natsgate, with nats-server 2.9.10's exact wording
// (server/client.go, server/errors.go). Raised by name, never retyped as literals.
import { ParseError } from "./parser.js";

export const errors = {
  unknownProtocol: "Unknown Protocol Operation",
  maxPayload: "Maximum Payload Violation",
  invalidSubject: "Invalid Subject",
  invalidPublishSubject: "Invalid Publish Subject",
  authorizationViolation: "Authorization Violation",
  authenticationTimeout: "Authentication Timeout",
  userAuthenticationExpired: "User Authentication Expired",
  staleConnection: "Stale Connection",
  maxConnections: "maximum connections exceeded",
  maxControlLine: "maximum control line exceeded",
  maxSubscriptions: "maximum subscriptions exceeded",
  badClientProtocol: "invalid client protocol",
  noRespondersRequiresHeaders: "no responders requires headers support",
  secureConnectionRequired: "Secure Connection - TLS Required",
  slowConsumer: "Slow Consumer",
  permissionsPublish: (subject: string) => `Permissions Violation for Publish to "${subject}"`,
  permissionsSubscribe: (subject: string, queue: string | null) =>
    queue === null
      ? `Permissions Violation for Subscription to "${subject}"`
      : `Permissions Violation for Subscription to "${subject}" using queue "${queue}"`,
} as const;

/** Why a connection was closed: the reasons nats-server reports in /connz (closed connections). */
export const closeReasons = {
  clientClosed: "Client Closed",
  authenticationTimeout: "Authentication Timeout",
  authenticationViolation: "Authentication Failure",
  authenticationExpired: "Authentication Expired",
  slowConsumerPendingBytes: "Slow Consumer (Pending Bytes)",
  slowConsumerWriteDeadline: "Slow Consumer (Write Deadline)",
  writeError: "Write Error",
  readError: "Read Error",
  parseError: "Parse Error",
  staleConnection: "Stale Connection",
  protocolViolation: "Protocol Violation",
  badClientProtocolVersion: "Bad Client Protocol Version",
  maxPayloadExceeded: "Maximum Message Payload Exceeded",
  maxControlLineExceeded: "Maximum Control Line Exceeded",
  maxConnectionsExceeded: "Maximum Connections Exceeded",
  serverShutdown: "Server Shutdown",
  missingAccount: "Missing Account",
  duplicateClientId: "Duplicate Client ID",
} as const;

export type CloseReason = (typeof closeReasons)[keyof typeof closeReasons];

/**
 * How nats-server answers each kind of malformed input: an -ERR text (null = close without one)
 * and the close reason. Limits and garbage get an -ERR; malformed arguments and a client's -ERR do not.
 */
export function parseErrorReaction(error: ParseError): { text: string | null; reason: CloseReason } {
  switch (error) {
    case ParseError.MaxControlLine:
      return { text: errors.maxControlLine, reason: closeReasons.maxControlLineExceeded };
    case ParseError.MaxPayload:
      return { text: errors.maxPayload, reason: closeReasons.maxPayloadExceeded };
    case ParseError.NotAuthorized:
      return { text: errors.authorizationViolation, reason: closeReasons.authenticationViolation };
    case ParseError.UnknownOp:
    case ParseError.BadPayloadEnd:
      // A payload longer than declared is a parse error at MSG_END_R in nats-server: same -ERR as garbage.
      return { text: errors.unknownProtocol, reason: closeReasons.parseError };
    default:
      return { text: null, reason: closeReasons.parseError };
  }
}
