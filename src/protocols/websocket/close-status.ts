// The WebSocket close status sent when a connection closes, from the NATS close reason, as nats-server
// does (websocket.go wsEnqueueCloseMessage).

import { type CloseReason, closeReasons } from "../nats/errors.js";

/** RFC 6455 section 7.4.1 status codes used here. */
export const wsStatus = {
  normalClosure: 1000,
  goingAway: 1001,
  protocolError: 1002,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

const STATUS_BY_REASON = new Map<string, number>([
  [closeReasons.clientClosed, wsStatus.normalClosure],
  [closeReasons.authenticationTimeout, wsStatus.policyViolation],
  [closeReasons.authenticationViolation, wsStatus.policyViolation],
  [closeReasons.slowConsumerPendingBytes, wsStatus.policyViolation],
  [closeReasons.slowConsumerWriteDeadline, wsStatus.policyViolation],
  [closeReasons.maxConnectionsExceeded, wsStatus.policyViolation],
  [closeReasons.maxControlLineExceeded, wsStatus.policyViolation],
  [closeReasons.missingAccount, wsStatus.policyViolation],
  [closeReasons.parseError, wsStatus.protocolError],
  [closeReasons.protocolViolation, wsStatus.protocolError],
  [closeReasons.badClientProtocolVersion, wsStatus.protocolError],
  [closeReasons.maxPayloadExceeded, wsStatus.messageTooBig],
  [closeReasons.serverShutdown, wsStatus.goingAway],
]);

/**
 * nats-server sends 1006 for write/read errors and stale connections, but 1006 may not appear in a close
 * frame (RFC 6455 7.4.1): those get a close frame without a status, which clients report as 1005.
 */
const NO_STATUS = new Set<string>([
  closeReasons.writeError,
  closeReasons.readError,
  closeReasons.staleConnection,
]);

/** Status and body for the close frame; `status` undefined means a close frame with no status. */
export function closeFrameFor(reason: CloseReason | string | null): { status?: number; text: string } {
  if (reason === null) return { status: wsStatus.normalClosure, text: "" };
  if (NO_STATUS.has(reason)) return { text: "" };
  // A control frame carries at most 125 bytes: 2 for the status, the rest for the text (nats-server cuts
  // it at 120 and appends "...").
  const text = reason.length > 123 ? `${reason.slice(0, 120)}...` : reason;
  return { status: STATUS_BY_REASON.get(reason) ?? wsStatus.internalError, text };
}
