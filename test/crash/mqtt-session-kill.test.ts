// Crash safety of MQTT sessions: a natsgate child (node dist/cli/main.js, `npm run build` first) with an
// mqtt block and a JetStream store dir is killed with SIGKILL while a connected persistent session has
// unacknowledged QoS 1/2 messages in flight and a client has a QoS 2 PUBLISH awaiting PUBREL. After a
// restart on the same dir the session is present, every message is delivered again (DUP, same packet
// id [MQTT-4.4.0-1]) and the re-sent QoS 2 PUBLISH is acknowledged without being routed twice [MQTT-4.3.3-2].

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import mqttPacket, { type Packet } from "mqtt-packet";
import { afterEach, describe, expect, it } from "vitest";
import { waitUntil, within } from "../helpers/server.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");

const children: ChildProcess[] = [];
const dirs: string[] = [];
const clients: MqttClient[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.end(true);
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  mqttPort: number;
}

/** Starts the built CLI with an mqtt block on a random port; resolves once MQTT listens. */
function startChild(dir: string): Promise<Child> {
  const conf = join(dir, "natsgate.conf");
  writeFileSync(
    conf,
    `listen: "127.0.0.1:-1"\njetstream { store_dir: ${JSON.stringify(join(dir, "js"))} }\n` +
      `mqtt { listen: "127.0.0.1:-1" }\n`,
  );
  const proc = spawn(process.execPath, [CLI, "-c", conf], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`natsgate did not start:\n${log}`)), 20_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      const m = /Listening for MQTT clients on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, mqttPort: Number(m[1]) });
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`natsgate exited with ${code}:\n${log}`));
    });
  });
}

async function kill(child: Child): Promise<void> {
  const gone = new Promise<void>((r) => child.proc.once("exit", () => r()));
  child.proc.kill("SIGKILL");
  await within(gone, "natsgate to die");
}

async function mqttClient(
  port: number,
  opts: IClientOptions,
): Promise<{ client: MqttClient; present: boolean }> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...opts,
  });
  clients.push(client);
  const connack = await within(
    new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      client.once("connect", resolve);
      client.once("error", reject);
    }),
    `CONNACK for ${opts.clientId}`,
  );
  return { client, present: connack.sessionPresent };
}

/** A raw MQTT 3.1.1 client (mqtt-packet), to hold a QoS 2 flow half-way. */
class RawClient {
  readonly packets: Packet[] = [];
  private readonly socket: Socket;

  constructor(port: number) {
    this.socket = netConnect(port, "127.0.0.1");
    sockets.push(this.socket);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (p) => this.packets.push(p));
    this.socket.on("data", (d) => parser.parse(d));
    this.socket.on("error", () => {});
  }

  send(p: Packet): void {
    this.socket.write(mqttPacket.generate(p));
  }

  async connack(what: string): Promise<boolean> {
    const p = await this.expect("connack", what);
    return p.cmd === "connack" && p.sessionPresent === true;
  }

  async expect(cmd: string, what: string): Promise<Packet> {
    await waitUntil(() => this.packets.some((p) => p.cmd === cmd), what);
    const i = this.packets.findIndex((p) => p.cmd === cmd);
    return this.packets.splice(i, 1)[0];
  }
}

const PUBLISH_ONCE: Packet = {
  cmd: "publish",
  topic: "c/raw",
  payload: Buffer.from("once"),
  qos: 2,
  messageId: 7,
  dup: false,
  retain: false,
};

describe.skipIf(!existsSync(CLI))("MQTT sessions after SIGKILL", () => {
  it("in-flight QoS 1/2 messages and inbound QoS 2 state survive a kill -9", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-crash-"));
    dirs.push(dir);
    const a = await startChild(dir);

    // A connected persistent session that never acknowledges: everything stays in flight.
    const obs = new RawClient(a.mqttPort);
    obs.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: false,
      clientId: "obs",
      keepalive: 0,
    });
    await obs.expect("connack", "obs CONNACK");
    obs.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "c/#", qos: 2 }] });
    await obs.expect("suback", "obs SUBACK");
    const { client: pub } = await mqttClient(a.mqttPort, { clientId: "pub" });
    await pub.publishAsync("c/1", "a", { qos: 1 });
    await pub.publishAsync("c/2", "b", { qos: 2 });
    await pub.publishAsync("c/3", "c", { qos: 1 });

    // A QoS 2 PUBLISH routed and PUBREC'd, its PUBREL not sent yet.
    const raw = new RawClient(a.mqttPort);
    raw.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: false,
      clientId: "raw",
      keepalive: 0,
    });
    await raw.expect("connack", "raw CONNACK");
    raw.send(PUBLISH_ONCE);
    expect((await raw.expect("pubrec", "PUBREC before the kill")).messageId).toBe(7);
    await waitUntil(
      () => obs.packets.filter((p) => p.cmd === "publish").length === 4,
      "4 messages in flight to obs",
    );
    // The client has c/2 (PUBREC); our PUBREL is not completed before the kill.
    const c2 = obs.packets.find((p) => p.cmd === "publish" && p.topic === "c/2");
    obs.send({ cmd: "pubrec", messageId: c2?.messageId });
    await obs.expect("pubrel", "PUBREL for c/2");
    const idsBefore = new Map(
      obs.packets.flatMap((p) => (p.cmd === "publish" ? [[p.topic, p.messageId] as const] : [])),
    );
    await kill(a);
    for (const c of clients.splice(0)) c.end(true);
    for (const so of sockets.splice(0)) so.destroy();

    const b = await startChild(dir);
    // The client re-sends the PUBLISH (it never saw our PUBREC, say): acknowledged, not routed again.
    const raw2 = new RawClient(b.mqttPort);
    raw2.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: false,
      clientId: "raw",
      keepalive: 0,
    });
    expect(await raw2.connack("raw CONNACK after restart")).toBe(true);
    raw2.send({ ...PUBLISH_ONCE, dup: true });
    expect((await raw2.expect("pubrec", "PUBREC after restart")).messageId).toBe(7);
    raw2.send({ cmd: "pubrel", messageId: 7 });
    expect((await raw2.expect("pubcomp", "PUBCOMP")).messageId).toBe(7);

    const obs2 = new RawClient(b.mqttPort);
    obs2.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: false,
      clientId: "obs",
      keepalive: 0,
    });
    expect(await obs2.connack("obs CONNACK after restart")).toBe(true);
    // c/2 had our PUBREL pending: PUBREL again; the others are PUBLISHed again with DUP and their ids.
    const rel = await obs2.expect("pubrel", "PUBREL for c/2 after restart");
    expect(rel.messageId).toBe(idsBefore.get("c/2"));
    await waitUntil(() => obs2.packets.filter((p) => p.cmd === "publish").length >= 3, "3 re-sent PUBLISHes");
    const resent = obs2.packets.filter((p): p is IPublishPacket => p.cmd === "publish");
    for (const p of resent) {
      obs2.send(
        p.qos === 1 ? { cmd: "puback", messageId: p.messageId } : { cmd: "pubrec", messageId: p.messageId },
      );
      if (p.qos === 2) {
        await obs2.expect("pubrel", `PUBREL for ${p.topic}`);
        obs2.send({ cmd: "pubcomp", messageId: p.messageId });
      }
    }
    obs2.send({ cmd: "pubcomp", messageId: rel.messageId });
    // A marker behind everything that was kept: nothing else (no second c/raw) comes before it.
    const { client: pub2 } = await mqttClient(b.mqttPort, { clientId: "pub" });
    await pub2.publishAsync("c/zz", "marker", { qos: 0 });
    await waitUntil(
      () => obs2.packets.some((p) => p.cmd === "publish" && p.topic === "c/zz"),
      "marker at obs",
    );

    const got = obs2.packets.filter((p): p is IPublishPacket => p.cmd === "publish" && p.topic !== "c/zz");
    expect(got.map((p) => `${p.topic}=${p.payload.toString()}`).sort()).toEqual([
      "c/1=a",
      "c/3=c",
      "c/raw=once",
    ]);
    for (const p of got) {
      expect(p.dup, `${p.topic} re-sent with DUP`).toBe(true);
      expect(p.messageId, `${p.topic} keeps its packet id`).toBe(idsBefore.get(p.topic));
    }
    expect(got.find((p) => p.topic === "c/raw")?.qos).toBe(2);
  }, 60_000);
});
