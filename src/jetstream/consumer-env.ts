// What every consumer of one account shares: the account's JetStream context, the interest poller,
// limits, and the clock. Created once per account by the consumer extension.

import type { Consumer } from "./consumer.js";
import type { ConsumerLimits } from "./consumer-config.js";
import type { InterestWatch } from "./consumer-delivery.js";
import type { JetStreamAccountContext } from "./contracts.js";

export interface ConsumerEnv {
  readonly ctx: JetStreamAccountContext;
  readonly interest: InterestWatch;
  readonly limits: ConsumerLimits;
  /** The largest message the account may publish: the rate limiter's burst when the stream sets none. */
  readonly maxPayload: number;
  /** The JetStream domain, printed in advisories when set. */
  readonly domain: string | undefined;
  /** Milliseconds since the epoch (Date.now, replaceable in tests). */
  now(): number;
  /** An ephemeral (or a consumer with inactive_threshold) went unused for too long: delete it. */
  onInactive(consumer: Consumer): void;
}
