// The consumer family as a JetStream extension (server.ts passes it to JetStream): its API handlers,
// one consumer environment per account, and recovery of durable consumers with their file streams.

import { consumerApiHandlers } from "./api/consumer-api.js";
import type { ConsumerLimits } from "./consumer-config.js";
import { NO_CONSUMER_LIMITS } from "./consumer-config.js";
import { deleteConsumer, recoverConsumers } from "./consumer-create.js";
import { InterestWatch } from "./consumer-delivery.js";
import type { ConsumerEnv } from "./consumer-env.js";
import type { JetStreamAccountContext, JetStreamExtension, JsAccountView } from "./contracts.js";

export interface ConsumerExtensionOptions {
  /** Server/account consumer limits (nats-server jetstream { limits }); default none. */
  limits?: ConsumerLimits;
  /** The server's max_payload (rate limiter burst when a stream sets no max_msg_size). Default 1 MiB. */
  maxPayload?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ConsumerExtension extends JetStreamExtension {
  /** The consumer environment of an account (created on first use). */
  envOf(account: JsAccountView): ConsumerEnv;
}

export function createConsumerExtension(opts: ConsumerExtensionOptions = {}): ConsumerExtension {
  const envs = new WeakMap<JetStreamAccountContext, ConsumerEnv>();
  const now = opts.now ?? Date.now;
  const envOf = (account: JsAccountView): ConsumerEnv => {
    let env = envs.get(account.ctx);
    if (env === undefined) {
      env = {
        ctx: account.ctx,
        interest: new InterestWatch(
          account.ctx.client.account.sublist,
          10,
          account.ctx.client.account.interestWatchers,
        ),
        limits: opts.limits ?? NO_CONSUMER_LIMITS,
        maxPayload: opts.maxPayload ?? 1024 * 1024,
        domain: account.domain,
        now,
        onInactive: (consumer) => deleteConsumer(consumer),
      };
      envs.set(account.ctx, env);
    }
    return env;
  };
  return {
    apiHandlers: consumerApiHandlers(envOf),
    streamRecovered: (account, stream) => {
      recoverConsumers(stream, envOf(account));
    },
    envOf,
  };
}
