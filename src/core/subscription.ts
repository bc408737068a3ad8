// One subscription of one client: what the sublist stores and the router delivers to.

import type { ClientHandle } from "./client.js";

export class Subscription {
  /** Messages delivered so far (for auto-unsubscribe). */
  delivered = 0;
  /** Auto-unsubscribe after this many deliveries; 0 = never. */
  max = 0;
  closed = false;

  constructor(
    readonly client: ClientHandle,
    /** Subject as subscribed, may contain `*` and `>`. */
    readonly subject: string,
    /** Queue group name, or null for a plain subscription. */
    readonly queue: string | null,
    /** The client's subscription id (NATS `sid`), opaque to the core. */
    readonly sid: string,
  ) {}
}
