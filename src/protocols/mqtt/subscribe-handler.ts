// SUBSCRIBE and UNSUBSCRIBE (spec 3.8, 3.10): filter checks, NATS subscriptions through the topic
// mapping (shared subscriptions as queue groups), SUBACK codes, retained messages to new subscriptions.

import { natsSubscriptionFor } from "./mqtt-broker.js";
import type { MqttConnection } from "./mqtt-connection.js";
import type { MqttSession } from "./mqtt-session.js";
import { encodeSuback, encodeUnsuback } from "./packet-encoder.js";
import { MqttProtocolError, ReasonCode, type SubscribePacket, type UnsubscribePacket } from "./packets.js";
import type { StoredSubscription } from "./stores.js";
import { parseSharedFilter, TopicError, topicFilterProblem } from "./topic-mapping.js";

export function handleSubscribe(conn: MqttConnection, p: SubscribePacket): void {
  const session = conn.session;
  if (session === null) return;
  const v5 = conn.v5;
  const codes: number[] = [];
  const retainedFor: { spec: StoredSubscription; subjects: string[] }[] = [];
  const subscriptionId = p.properties.subscriptionIdentifiers?.[0];
  for (const req of p.subscriptions) {
    const failure = v5 ? ReasonCode.topicFilterInvalid : 0x80;
    let shared: ReturnType<typeof parseSharedFilter>;
    try {
      shared = parseSharedFilter(req.filter);
    } catch (err) {
      // A malformed `$share/...` is a protocol error (MQTT 5 4.8.2), answered with DISCONNECT as mosquitto does.
      throw new MqttProtocolError(ReasonCode.protocolError, (err as Error).message);
    }
    const problem = topicFilterProblem(shared === null ? req.filter : shared.filter);
    if (problem !== null) {
      conn.debug(`MQTT SUBSCRIBE ${JSON.stringify(req.filter)}: ${problem}`);
      codes.push(failure);
      continue;
    }
    // MQTT 5 3.8.3.1: No Local on a shared subscription is a protocol error.
    if (shared !== null && req.noLocal)
      throw new MqttProtocolError(ReasonCode.protocolError, "no local on a shared subscription");
    const spec: StoredSubscription = {
      filter: req.filter,
      qos: req.qos,
      noLocal: req.noLocal,
      retainAsPublished: req.retainAsPublished,
      retainHandling: req.retainHandling,
    };
    if (subscriptionId !== undefined) spec.subscriptionId = subscriptionId;
    let subjects: string[];
    try {
      const target = natsSubscriptionFor(req.filter);
      subjects = target.subjects;
      const existed = session.subscriptions.has(req.filter);
      session.subscribe(spec, subjects, target.queue);
      // Retained messages: not for shared subscriptions (MQTT 5 4.8.2), per retain handling otherwise.
      if (shared === null && (req.retainHandling === 0 || (req.retainHandling === 1 && !existed)))
        retainedFor.push({ spec, subjects });
    } catch (err) {
      conn.debug(`MQTT SUBSCRIBE ${JSON.stringify(req.filter)}: ${(err as Error).message}`);
      codes.push(err instanceof TopicError ? failure : v5 ? ReasonCode.unspecifiedError : 0x80);
      continue;
    }
    codes.push(req.qos);
  }
  conn.write(encodeSuback(v5, p.packetId, codes));
  conn.ctx.broker.sessionChanged(session);
  for (const { spec, subjects } of retainedFor) sendRetained(conn, session, spec, subjects);
}

function sendRetained(
  conn: MqttConnection,
  session: MqttSession,
  spec: StoredSubscription,
  subjects: string[],
): void {
  const store = conn.ctx.broker.deps.stores(session.account).retained;
  const wildcardFirst = spec.filter[0] === "+" || spec.filter[0] === "#";
  for (const subject of subjects) {
    for (const m of store.match(subject)) {
      if (wildcardFirst && m.topic[0] === "$") continue;
      const properties = { ...m.properties };
      if (spec.subscriptionId !== undefined) properties.subscriptionIdentifiers = [spec.subscriptionId];
      session.enqueue({
        topic: m.topic,
        payload: m.payload,
        qos: Math.min(m.qos, spec.qos),
        retain: true,
        properties,
        expiresAt: m.expiresAt,
        packetId: 0,
        state: "queued",
      });
    }
  }
}

export function handleUnsubscribe(conn: MqttConnection, p: UnsubscribePacket): void {
  const session = conn.session;
  if (session === null) return;
  const codes = p.filters.map((f) =>
    session.unsubscribe(f) ? ReasonCode.success : ReasonCode.noSubscriptionExisted,
  );
  conn.write(encodeUnsuback(conn.v5, p.packetId, codes));
  conn.ctx.broker.sessionChanged(session);
}
