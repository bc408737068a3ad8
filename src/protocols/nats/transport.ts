// The byte pipe under a NATS connection: a TCP socket here, WebSocket frames in protocols/websocket.
// The interface lives in core/transport.ts and the socket implementation in util/ (shared with MQTT).

export type { Transport, TransportEvents } from "../../core/transport.js";
export { normaliseAddress, SocketTransport } from "../../util/socket-transport.js";
