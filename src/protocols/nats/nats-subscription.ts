// A NATS client's subscription: the core Subscription plus the bytes its MSG lines reuse.

import type { ClientHandle } from "../../core/client.js";
import { Subscription } from "../../core/subscription.js";
import { lineStartOf, type MsgTarget } from "./msg-encoder.js";

export class NatsSubscription extends Subscription implements MsgTarget {
  /** The sid as bytes, written into every MSG line. */
  readonly sidBytes: Buffer;
  readonly lineStart: Buffer | null;
  constructor(client: ClientHandle, subject: string, queue: string | null, sid: string) {
    super(client, subject, queue, sid);
    this.sidBytes = Buffer.from(sid, "utf8");
    this.lineStart = lineStartOf(subject, sid);
  }
}

/** nats-server rejects queue names with whitespace like subjects; wildcards are allowed in names. */
export function isValidQueueName(queue: string): boolean {
  if (queue.length === 0) return false;
  for (let i = 0; i < queue.length; i++) {
    const c = queue.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 10) return false;
  }
  return true;
}
