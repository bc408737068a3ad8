// Validation of an HTTP request on the WebSocket port before it may become a WebSocket (RFC 6455 4.2.1,
// in nats-server's order and with its statuses), which protocol it will carry, and the HTTP error reply.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { OriginChecker } from "./origin-check.js";

/** What the WebSocket will carry: NATS, or MQTT (path ending in /mqtt, or the `mqtt` subprotocol). */
export type UpgradeKind = "nats" | "mqtt";

export type UpgradeCheck = { ok: true; kind: UpgradeKind } | { ok: false; status: number; reason: string };

/** Browsers send about 20 headers; many more is not a WebSocket client (bounds work per request). */
export const MAX_REQUEST_HEADERS = 100;

/** What the upgrade handler needs to know about the listener. */
export interface UpgradePolicy {
  origins: OriginChecker;
  tls: boolean;
  mqttEnabled(): boolean;
}

const MQTT_PATH = "/mqtt";
const LEAFNODE_PATH = "/leafnode";

/** True when a comma-separated header (every occurrence) has `value` as one of its tokens. */
function headerContains(req: IncomingMessage, name: string, value: string): boolean {
  const values = req.headersDistinct[name];
  if (values === undefined) return false;
  const want = value.toLowerCase();
  for (const v of values) {
    for (const token of v.split(",")) if (token.trim().toLowerCase() === want) return true;
  }
  return false;
}

function requestPath(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/** The protocol the request asks for; "leafnode" is nats-server's leaf path, which natsgate does not serve. */
export function upgradeKind(req: IncomingMessage): UpgradeKind | "leafnode" {
  const path = requestPath(req);
  if (path.startsWith(LEAFNODE_PATH)) return "leafnode";
  if (path.startsWith(MQTT_PATH) || path.endsWith(MQTT_PATH)) return "mqtt";
  // MQTT.js and browser MQTT clients offer the `mqtt` subprotocol whatever the path.
  if (headerContains(req, "sec-websocket-protocol", "mqtt")) return "mqtt";
  return "nats";
}

function fail(status: number, reason: string): UpgradeCheck {
  return { ok: false, status, reason };
}

/** Checks a request; `head` is what the client sent after the request head, before our answer. */
export function checkUpgradeRequest(req: IncomingMessage, head: Buffer, policy: UpgradePolicy): UpgradeCheck {
  if (req.rawHeaders.length / 2 > MAX_REQUEST_HEADERS) return fail(431, "too many headers");
  if (req.method !== "GET") return fail(405, "request method must be GET");
  if (!req.headers.host) return fail(400, "'Host' missing in request");
  if (!headerContains(req, "upgrade", "websocket")) return fail(400, "invalid value for header 'Upgrade'");
  if (!headerContains(req, "connection", "upgrade"))
    return fail(400, "invalid value for header 'Connection'");
  if (!req.headers["sec-websocket-key"]) return fail(400, "key missing");
  if (!headerContains(req, "sec-websocket-version", "13")) return fail(400, "invalid version");
  const originError = policy.origins.check(req, policy.tls);
  if (originError !== null) return fail(403, `origin not allowed: ${originError}`);
  const kind = upgradeKind(req);
  if (kind === "leafnode") return fail(404, "leafnode websocket endpoint not enabled");
  // As nats-server 2.10+: an MQTT upgrade without MQTT enabled is refused rather than left dangling.
  if (kind === "mqtt" && !policy.mqttEnabled()) return fail(404, "mqtt websocket endpoint not enabled");
  if (head.length > 0) return fail(400, "client sent data before handshake is complete");
  return { ok: true, kind };
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/** The reply nats-server gives (Go's http.Error plus Sec-Websocket-Version), closing the connection. */
export function httpErrorResponse(status: number): { head: Record<string, string>; body: string } {
  const body = `${STATUS_TEXT[status] ?? "Error"}\n`;
  return {
    head: {
      "Content-Type": "text/plain; charset=utf-8",
      "Sec-Websocket-Version": "13",
      "X-Content-Type-Options": "nosniff",
      "Content-Length": String(Buffer.byteLength(body)),
      Connection: "close",
    },
    body,
  };
}

/** Writes the error reply on a raw socket (upgrade requests have no ServerResponse) and closes it. */
export function writeHttpError(socket: Duplex, status: number): void {
  const { head, body } = httpErrorResponse(status);
  let text = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n`;
  for (const [k, v] of Object.entries(head)) text += `${k}: ${v}\r\n`;
  // A client that never closes its side is dropped by the handshake timer, which is still running.
  if (socket.writable) socket.end(`${text}\r\n${body}`);
}
