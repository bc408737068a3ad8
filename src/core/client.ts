// The core's view of a connection: anything that can receive routed messages
// (a NATS client over TCP or WebSocket, an MQTT session, an internal JetStream client).

/** "route" and "leaf": peer servers (src/cluster); their subscriptions stand for the peer's interest. */
export type ClientKind = "client" | "websocket" | "mqtt" | "internal" | "route" | "leaf";

export interface ClientHandle {
  /** Connection id, unique per server. */
  readonly cid: number;
  readonly kind: ClientKind;
  /** When false, messages this client publishes are not delivered back to its own subscriptions. */
  readonly echo: boolean;
  /**
   * Queue one message for delivery. Called on the hot path: no promises, no closures, no JSON.
   * `headers` is the raw NATS header block (`NATS/1.0\r\n...\r\n\r\n`) or null.
   * Returns false when the client could not take it (closed, or just became a slow consumer).
   */
  deliver(
    sub: import("./subscription.js").Subscription,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): boolean;
  /** The subscription reached its auto-unsubscribe maximum: the owner removes it. */
  subscriptionDone?(sub: import("./subscription.js").Subscription): void;
}
