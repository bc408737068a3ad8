// A connection that lives inside the server (JetStream, system services, MQTT sessions):
// it subscribes with a handler per subscription and publishes through the same router as sockets.

import type { Account } from "./account.js";
import type { ClientHandle } from "./client.js";
import { route } from "./router.js";
import { Subscription } from "./subscription.js";

/** Called for each message a subscription receives. Runs synchronously inside route(). */
export type InternalHandler = (
  sub: Subscription,
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
) => void;

class InternalSubscription extends Subscription {
  constructor(
    client: ClientHandle,
    subject: string,
    queue: string | null,
    sid: string,
    readonly handler: InternalHandler,
  ) {
    super(client, subject, queue, sid);
  }
}

export class InternalClient implements ClientHandle {
  readonly kind = "internal" as const;
  echo = true;
  private readonly subs = new Set<InternalSubscription>();
  private nextSid = 1;
  private closed = false;

  constructor(
    readonly cid: number,
    readonly account: Account,
    /** A name for logs and monitoring, e.g. "JetStream" or "MQTT". */
    readonly name: string,
  ) {}

  subscribe(subject: string, handler: InternalHandler, queue: string | null = null): Subscription {
    const sub = new InternalSubscription(this, subject, queue, String(this.nextSid++), handler);
    if (!this.account.sublist.insert(sub))
      throw new Error(`invalid subject for internal subscription: ${subject}`);
    this.subs.add(sub);
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    if (!this.subs.delete(sub as InternalSubscription)) return;
    sub.closed = true;
    this.account.sublist.remove(sub);
  }

  /** Publishes into the account; returns the number of deliveries. */
  publish(subject: string, reply: string | null, headers: Buffer | null, payload: Buffer): number {
    if (this.closed) return 0;
    return route(this.account, this, subject, reply, headers, payload);
  }

  deliver(
    sub: Subscription,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): boolean {
    if (this.closed) return false;
    (sub as InternalSubscription).handler(sub, subject, reply, headers, payload);
    return true;
  }

  subscriptionDone(sub: Subscription): void {
    this.unsubscribe(sub);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subs) {
      sub.closed = true;
      this.account.sublist.remove(sub);
    }
    this.subs.clear();
  }
}
