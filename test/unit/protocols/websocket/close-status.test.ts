// Close frame statuses for NATS close reasons, as nats-server maps them (wsEnqueueCloseMessage).

import { describe, expect, it } from "vitest";
import { closeReasons } from "../../../../src/protocols/nats/errors.js";
import { closeFrameFor } from "../../../../src/protocols/websocket/close-status.js";

describe("closeFrameFor", () => {
  it("maps reasons to RFC 6455 statuses with the reason as text", () => {
    expect(closeFrameFor(closeReasons.clientClosed)).toEqual({ status: 1000, text: "Client Closed" });
    expect(closeFrameFor(closeReasons.serverShutdown).status).toBe(1001);
    expect(closeFrameFor(closeReasons.parseError).status).toBe(1002);
    expect(closeFrameFor(closeReasons.protocolViolation).status).toBe(1002);
    expect(closeFrameFor(closeReasons.authenticationViolation).status).toBe(1008);
    expect(closeFrameFor(closeReasons.slowConsumerPendingBytes).status).toBe(1008);
    expect(closeFrameFor(closeReasons.maxConnectionsExceeded).status).toBe(1008);
    expect(closeFrameFor(closeReasons.maxPayloadExceeded)).toEqual({
      status: 1009,
      text: "Maximum Message Payload Exceeded",
    });
    expect(closeFrameFor(closeReasons.duplicateClientId).status).toBe(1011);
    expect(closeFrameFor(null)).toEqual({ status: 1000, text: "" });
  });

  it("sends no status where nats-server would send the reserved 1006", () => {
    expect(closeFrameFor(closeReasons.staleConnection)).toEqual({ text: "" });
    expect(closeFrameFor(closeReasons.readError)).toEqual({ text: "" });
  });

  it("cuts a text that does not fit a control frame", () => {
    const { text } = closeFrameFor("x".repeat(200));
    expect(text).toBe(`${"x".repeat(120)}...`);
  });
});
