// nats-server's monitoring over NATS (server/events.go): in every account the `$SYS.REQ.ACCOUNT.PING.CONNZ`,
// `$SYS.REQ.SERVER.PING.CONNZ` and `$SYS.REQ.ACCOUNT.PING.STATZ` requests it imports there, and in the system
// account (when one exists) `$SYS.REQ.SERVER.PING[.<X>]` and `$SYS.REQ.SERVER.<id>.<X>`, plus the
// `$SYS.ACCOUNT.<acc>.DISCONNECT` event. Replies are ServerAPIResponse JSON: {server, data} or {server, error}.

import { randomBytes } from "node:crypto";
import type { Account } from "../core/account.js";
import type { InternalClient } from "../core/internal-client.js";
import { NATS_SERVER_COMPAT_VERSION } from "../version.js";
import type { ClosedConnection } from "./closed-connections.js";
import type { ConnState, ConnzOptions } from "./connz.js";
import { goTime, msToNs } from "./go-format.js";
import type { HealthzOptions } from "./healthz.js";
import type { JszOptions } from "./jsz.js";
import type { SubszOptions } from "./subsz.js";

export const SYSTEM_ACCOUNT = "$SYS";

/** What the services answer with: Monitoring's collectors, by endpoint. */
export interface SystemEndpoints {
  readonly serverId: string;
  readonly serverName: string;
  readonly serverHost: string;
  readonly jetstreamEnabled: boolean;
  statsz(): Record<string, unknown>;
  varz(): Record<string, unknown>;
  connz(opts: ConnzOptions): Record<string, unknown>;
  subsz(opts: SubszOptions): Record<string, unknown>;
  jsz(opts: JszOptions): Record<string, unknown>;
  healthz(opts: HealthzOptions): Record<string, unknown>;
  accountz(acc: string): Record<string, unknown>;
  accstatz(accounts: readonly string[], includeUnused: boolean): Record<string, unknown>;
  routez(): Record<string, unknown>;
  leafz(): Record<string, unknown>;
  gatewayz(): Record<string, unknown>;
}

type Body = Record<string, unknown>;
type Responder = (body: Body) => Record<string, unknown>;

const STATE_BY_NUMBER: ConnState[] = ["open", "closed", "all"];

export class SystemServices {
  private readonly clients: InternalClient[] = [];
  private system: InternalClient | null = null;
  private seq = 0;

  constructor(private readonly endpoints: SystemEndpoints) {}

  /** Subscribes in `accounts`; the system account (named `systemAccount`) gets the server-level requests. */
  start(
    accounts: Iterable<Account>,
    newClient: (account: Account) => InternalClient,
    systemAccount: string = SYSTEM_ACCOUNT,
  ): void {
    for (const account of accounts) {
      const client = newClient(account);
      this.clients.push(client);
      if (account.name === systemAccount) {
        this.system = client;
        this.serveServerRequests(client);
      } else this.serveAccountRequests(client, account.name);
    }
  }

  close(): void {
    for (const c of this.clients) c.close();
    this.clients.length = 0;
    this.system = null;
  }

  /** `$SYS.ACCOUNT.<acc>.DISCONNECT` in the system account, for whoever listens there. */
  connectionClosed(cc: ClosedConnection): void {
    const sys = this.system;
    if (sys === null || cc.account === "") return;
    const subject = `$SYS.ACCOUNT.${cc.account}.DISCONNECT`;
    if (!sys.account.sublist.hasInterest(subject)) return;
    const client: Record<string, unknown> = {
      start: goTime(cc.start),
      host: cc.ip,
      id: cc.cid,
      acc: cc.account,
    };
    if (cc.user) client.user = cc.user;
    if (cc.name) client.name = cc.name;
    if (cc.lang) client.lang = cc.lang;
    if (cc.version) client.ver = cc.version;
    if (cc.rtt > 0) client.rtt = msToNs(cc.rtt);
    client.server = this.endpoints.serverName;
    client.stop = goTime(cc.stop);
    const event = {
      type: "io.nats.server.advisory.v1.client_disconnect",
      id: randomBytes(16).toString("base64url"),
      timestamp: goTime(Date.now()),
      server: this.serverInfo(),
      client,
      sent: { msgs: cc.outMsgs, bytes: cc.outBytes },
      received: { msgs: cc.inMsgs, bytes: cc.inBytes },
      reason: cc.reason,
    };
    sys.publish(subject, null, null, Buffer.from(JSON.stringify(event)));
  }

  private serveAccountRequests(client: InternalClient, account: string): void {
    // nats-server imports these from the system account into every account, bound to that account.
    const connz: Responder = (b) => this.endpoints.connz({ ...connzOptions(b), acc: account });
    this.serve(client, "$SYS.REQ.ACCOUNT.PING.CONNZ", connz);
    this.serve(client, "$SYS.REQ.SERVER.PING.CONNZ", connz);
    this.serve(client, "$SYS.REQ.ACCOUNT.PING.STATZ", (b) =>
      this.endpoints.accstatz([account], b.include_unused === true),
    );
  }

  private serveServerRequests(client: InternalClient): void {
    const e = this.endpoints;
    const byName: Record<string, Responder> = {
      STATSZ: () => e.statsz(),
      VARZ: () => e.varz(),
      CONNZ: (b) => e.connz(connzOptions(b)),
      SUBSZ: (b) => e.subsz(subszOptions(b)),
      JSZ: (b) => e.jsz(jszOptions(b)),
      HEALTHZ: (b) =>
        e.healthz({
          jsEnabledOnly: b["js-enabled-only"] === true,
          jsServerOnly: b["js-server-only"] === true,
        }),
      ACCOUNTZ: (b) => e.accountz(str(b.account)),
      ROUTEZ: () => e.routez(),
      LEAFZ: () => e.leafz(),
      GATEWAYZ: () => e.gatewayz(),
    };
    // The old ping answers with a ServerStatsMsg ({server, statsz}), not a ServerAPIResponse.
    this.serve(client, "$SYS.REQ.SERVER.PING", () => e.statsz(), "statsz");
    for (const [name, respond] of Object.entries(byName)) {
      this.serve(client, `$SYS.REQ.SERVER.PING.${name}`, respond);
      this.serve(client, `$SYS.REQ.SERVER.${e.serverId}.${name}`, respond);
    }
  }

  private serve(client: InternalClient, subject: string, respond: Responder, dataKey = "data"): void {
    client.subscribe(subject, (_sub, _subject, reply, _headers, payload) => {
      if (reply === null) return;
      const out = this.answer(payload, respond, dataKey);
      if (out !== null) client.publish(reply, null, null, Buffer.from(JSON.stringify(out)));
    });
  }

  /** nats-server's zReq: decode the options, skip when a filter excludes this server, answer or report. */
  private answer(payload: Buffer, respond: Responder, dataKey: string): Record<string, unknown> | null {
    let body: Body = {};
    if (payload.length > 0) {
      try {
        const parsed: unknown = JSON.parse(payload.toString("utf8"));
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as Body;
      } catch (err) {
        return { server: this.serverInfo(), error: { code: 400, description: (err as Error).message } };
      }
      if (this.filteredOut(body)) return null;
    }
    try {
      return { server: this.serverInfo(), [dataKey]: respond(body) };
    } catch (err) {
      return { server: this.serverInfo(), error: { code: 500, description: (err as Error).message } };
    }
  }

  /** EventFilterOptions: a request naming another server, host or domain is not for this one. */
  private filteredOut(b: Body): boolean {
    const e = this.endpoints;
    if (str(b.server_name) && !e.serverName.includes(str(b.server_name))) return true;
    if (str(b.host) && !e.serverHost.includes(str(b.host))) return true;
    if (str(b.cluster)) return true;
    if (Array.isArray(b.tags) && b.tags.length > 0) return true;
    return str(b.domain) !== "";
  }

  private serverInfo(): Record<string, unknown> {
    const e = this.endpoints;
    return {
      name: e.serverName,
      host: e.serverHost,
      id: e.serverId,
      ver: NATS_SERVER_COMPAT_VERSION,
      seq: ++this.seq,
      jetstream: e.jetstreamEnabled,
      time: goTime(Date.now()),
    };
  }
}

/** ConnzOptions as JSON (their Go tags); `state` is a number there (0 open, 1 closed, 2 all). */
function connzOptions(b: Body): ConnzOptions {
  return {
    sort: str(b.sort),
    auth: b.auth === true,
    subs: b.subscriptions === true,
    subsDetail: b.subscriptions_detail === true,
    offset: num(b.offset),
    limit: num(b.limit),
    cid: num(b.cid),
    state: STATE_BY_NUMBER[num(b.state)] ?? "open",
    user: str(b.user),
    acc: str(b.acc),
    mqttClient: str(b.mqtt_client),
  };
}

function subszOptions(b: Body): SubszOptions {
  return {
    subs: b.subscriptions === true,
    offset: num(b.offset),
    limit: num(b.limit),
    acc: str(b.account),
    test: str(b.test),
  };
}

function jszOptions(b: Body): JszOptions {
  return {
    acc: str(b.account),
    accounts: b.accounts === true,
    streams: b.streams === true,
    consumers: b.consumer === true,
    config: b.config === true,
    leaderOnly: b.leader_only === true,
    offset: num(b.offset),
    limit: num(b.limit),
  };
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}
