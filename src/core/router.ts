// Routes one published message to every matching subscription of an account:
// all plain subscribers plus one member of each queue group. The hot path of the server.

import type { Account } from "./account.js";
import type { ClientHandle } from "./client.js";
import type { Subscription } from "./subscription.js";

/**
 * Delivers to all matches; returns the number of deliveries made.
 * `sender` is null for messages injected by the server itself.
 */
export function route(
  account: Account,
  sender: ClientHandle | null,
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
): number {
  const result = account.sublist.match(subject);
  if (account.remote !== null)
    return account.remote.route(account, sender, subject, reply, headers, payload, result);
  const psubs = result.psubs;
  const qsubs = result.qsubs;
  if (psubs.length === 0 && qsubs.length === 0) return 0;
  const noEcho = sender !== null && !sender.echo;
  let delivered = 0;
  for (let i = 0; i < psubs.length; i++) {
    const sub = psubs[i];
    if (noEcho && sub.client === sender) continue;
    if (deliverTo(sub, subject, reply, headers, payload)) delivered++;
  }
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    const n = group.length;
    if (n === 0) continue;
    // A random start spreads load across members like nats-server's rand pick;
    // walking on from there skips members that cannot take it (closed, or the sender without echo).
    const start = n === 1 ? 0 : Math.floor(Math.random() * n);
    for (let k = 0; k < n; k++) {
      const sub = group[(start + k) % n];
      if (noEcho && sub.client === sender) continue;
      if (deliverTo(sub, subject, reply, headers, payload)) {
        delivered++;
        break;
      }
    }
  }
  return delivered;
}

/** One delivery with auto-unsubscribe accounting; false when the subscriber could not take it. */
export function deliverTo(
  sub: Subscription,
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
): boolean {
  if (sub.closed) return false;
  if (sub.max > 0) {
    // Auto-unsubscribe: the delivery that reaches max is the last one (nats-server semantics).
    if (sub.delivered >= sub.max) return false;
    sub.delivered++;
    const ok = sub.client.deliver(sub, subject, reply, headers, payload);
    if (sub.delivered >= sub.max) sub.client.subscriptionDone?.(sub);
    return ok;
  }
  sub.delivered++;
  return sub.client.deliver(sub, subject, reply, headers, payload);
}
