// The JetStream API router: one `$JS.API.>` subscription per JetStream-enabled account, dispatching
// each request to the single handler whose pattern matches its subject (as nats-server's apiSubs).
// Handler tables come from each API family (stream, account, and the consumer family's own file).

import { subjectMatchesFilter } from "../../core/subject.js";
import type { Subscription } from "../../core/subscription.js";
import type { JsAccountView, JsApiHandler, JsApiHandlerEntry, JsApiRequest } from "../contracts.js";
import { JsApiException } from "../errors.js";

export const API_PREFIX = "$JS.API.";
export const API_ALL = "$JS.API.>";

interface Route {
  readonly filter: string;
  readonly handler: JsApiHandler;
}

export class ApiRouter {
  private readonly routes: Route[];

  constructor(
    entries: readonly JsApiHandlerEntry[],
    private readonly onError: (err: unknown, subject: string) => void,
  ) {
    this.routes = entries.map((e) => ({ filter: API_PREFIX + e.pattern, handler: e.handler }));
    for (let i = 0; i < this.routes.length; i++) {
      for (let j = 0; j < i; j++) {
        if (this.routes[i].filter === this.routes[j].filter) {
          throw new Error(`JetStream API pattern registered twice: ${this.routes[i].filter}`);
        }
      }
    }
  }

  /** The handler for `subject`, or null when none or (like nats-server) more than one matches. */
  match(subject: string): JsApiHandler | null {
    let found: JsApiHandler | null = null;
    for (const r of this.routes) {
      if (!subjectMatchesFilter(subject, r.filter)) continue;
      if (found !== null) return null;
      found = r.handler;
    }
    return found;
  }

  /** Subscribes the account's internal client to `$JS.API.>`. */
  attach(account: JsAccountView): Subscription {
    return account.ctx.client.subscribe(API_ALL, (_sub, subject, reply, headers, payload) =>
      this.dispatch(account, subject, reply, headers, payload),
    );
  }

  dispatch(
    account: JsAccountView,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): void {
    const handler = this.match(subject);
    if (handler === null) return;
    const req: JsApiRequest = {
      subject,
      tokens: subject.split("."),
      reply: reply === "" ? null : reply,
      headers,
      payload,
    };
    try {
      handler(account, req);
    } catch (err) {
      // A handler bug must not take the publisher's connection (whose read loop we run in) down.
      if (!(err instanceof JsApiException)) this.onError(err, subject);
    }
  }
}

/** The n-th token of the subject (0-based), "" when absent. */
export function tokenAt(req: JsApiRequest, index: number): string {
  return req.tokens[index] ?? "";
}
