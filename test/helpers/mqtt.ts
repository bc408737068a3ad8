// MQTT test helpers: a server with the MQTT listener on a free port, MQTT.js clients that are closed
// afterwards, and waiting for messages with a timeout.

import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { within } from "./server.js";

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  packet: mqtt.IPublishPacket;
}

/** Connects MQTT.js and resolves on CONNACK; `clients` collects it for closing. */
export async function connectMqtt(
  port: number,
  opts: IClientOptions,
  clients: MqttClient[],
): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...opts,
  });
  clients.push(client);
  // Messages right behind CONNACK (a resumed session) arrive before "connect" resolves: collect from the start.
  collect(client);
  await within(
    new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    }),
    "MQTT CONNACK",
  );
  return client;
}

export interface Collector {
  messages: ReceivedMessage[];
  next(n: number, ms?: number): Promise<ReceivedMessage[]>;
}

const collectors = new WeakMap<MqttClient, Collector>();

/** The client's message collector (made at connect); `next(n)` resolves with the first n or fails after the timeout. */
export function collect(client: MqttClient): Collector {
  const existing = collectors.get(client);
  if (existing !== undefined) return existing;
  const messages: ReceivedMessage[] = [];
  const waiters: { n: number; resolve: (m: ReceivedMessage[]) => void }[] = [];
  client.on("message", (topic, payload, packet) => {
    messages.push({ topic, payload, packet });
    for (const w of [...waiters]) {
      if (messages.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(messages.slice(0, w.n));
      }
    }
  });
  const collector: Collector = {
    messages,
    next(n, ms = 5000) {
      if (messages.length >= n) return Promise.resolve(messages.slice(0, n));
      return within(new Promise((resolve) => waiters.push({ n, resolve })), `${n} MQTT message(s)`, ms);
    },
  };
  collectors.set(client, collector);
  return collector;
}

export async function closeAll(clients: MqttClient[]): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => new Promise<void>((r) => c.end(true, {}, () => r()))));
}
