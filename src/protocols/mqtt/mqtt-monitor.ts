// MQTT connections and state as the monitoring endpoints read them (/connz, /varz, /metrics): plain
// views shaped like monitor/monitor-source.ts's MonitoredConnection, so mqtt/ never imports monitor/.

import type { MqttConnection } from "./mqtt-connection.js";

export interface MqttMonitoredSubscription {
  readonly subject: string;
  readonly queue: string | null;
  readonly sid: string;
  readonly delivered: number;
  readonly max: number;
  readonly client: { readonly cid: number };
}

export interface MqttConnectionView {
  readonly cid: number;
  readonly kind: "mqtt";
  readonly start: Date;
  readonly lastActivity: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly rtt: number;
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly pendingBytes: number;
  readonly subs: ReadonlyMap<string, MqttMonitoredSubscription>;
  readonly opts: { readonly name: string; readonly lang: string; readonly version: string };
  readonly user?: string | undefined;
  readonly account: { readonly name: string } | null;
  readonly mqttClientId: string;
}

/** A snapshot of one connection; its subscriptions are the NATS ones of its session (a filter can make two). */
export function connectionView(conn: MqttConnection): MqttConnectionView {
  const subs = new Map<string, MqttMonitoredSubscription>();
  const session = conn.session;
  if (session !== null) {
    for (const list of session.subscriptions.values()) {
      for (const s of list) {
        subs.set(s.sid, {
          subject: s.subject,
          queue: s.queue,
          sid: s.sid,
          delivered: s.delivered,
          max: s.max,
          client: { cid: conn.cid },
        });
      }
    }
  }
  return {
    cid: conn.cid,
    kind: "mqtt",
    start: conn.startedAt,
    lastActivity: conn.lastActivityAt,
    remoteAddress: conn.transport.remoteAddress,
    remotePort: conn.transport.remotePort,
    rtt: 0,
    inMsgs: conn.msgsIn,
    outMsgs: conn.msgsOut,
    inBytes: conn.bytesIn,
    outBytes: conn.bytesOut,
    pendingBytes: conn.transport.bufferedBytes,
    subs,
    // nats-server shows MQTT clients with empty name/lang/version and the client id as mqtt_client.
    opts: { name: "", lang: "", version: "" },
    user: conn.user,
    account: conn.account === null ? null : { name: conn.account.name },
    mqttClientId: conn.clientId,
  };
}
