// A second, independent MQTT client: Debian's mosquitto_pub / mosquitto_sub against natsgate for
// QoS 0/1/2 and retained messages (skipped when mosquitto-clients is not installed). Wills: see MQTT.js tests.

import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { waitUntil, within } from "../helpers/server.js";

function has(cmd: string): boolean {
  try {
    execFileSync("which", [cmd], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const available = has("mosquitto_pub") && has("mosquitto_sub");
let server: NatsgateServer | null = null;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  await server?.close();
  server = null;
});

/** Starts mosquitto_sub; resolves its output once it exits (after -C messages), and once it is subscribed. */
function sub(args: string[]): { output: Promise<string>; child: ChildProcess } {
  const child = spawn("mosquitto_sub", ["-h", "127.0.0.1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d.toString();
  });
  // "close", not "exit": exit can come before the last stdout bytes are read.
  const output = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  return { output, child };
}

/**
 * mosquitto_sub buffers its output when piped, so wait until the server routes `subject` to someone.
 * (Counting subscriptions raced with the ones a new MQTT connection makes for itself.)
 */
function interestIn(subject: string): Promise<void> {
  const sublist = server?.lookupAccount("$G")?.sublist;
  return waitUntil(() => sublist?.hasInterest(subject) ?? false, `interest in ${subject}`);
}

/** Runs mosquitto_pub without blocking the event loop (the server runs in this process). */
async function pub(args: string[]): Promise<void> {
  await promisify(execFile)("mosquitto_pub", ["-h", "127.0.0.1", ...args], { timeout: 5000 });
}

describe.skipIf(!available)("mosquitto clients", () => {
  for (const qos of ["0", "1", "2"]) {
    it(`QoS ${qos}: mosquitto_pub → mosquitto_sub`, async () => {
      server = await createServer({ port: 0, mqtt: { port: 0 } });
      const port = String(server.mqttPort);
      const s = sub(["-p", port, "-t", "m/#", "-q", qos, "-C", "1", "-F", "%t %q %p"]);
      await interestIn("m.x");
      await pub(["-p", port, "-t", "m/x", "-q", qos, "-m", "hello"]);
      const out = await within(s.output, "mosquitto_sub exit");
      expect(out.split("\n").filter((l) => l.startsWith("m/x"))).toEqual([`m/x ${qos} hello`]);
    });
  }

  it("retained: a later mosquitto_sub gets the retained message with the retain flag", async () => {
    server = await createServer({ port: 0, mqtt: { port: 0 } });
    const port = String(server.mqttPort);
    await pub(["-p", port, "-t", "r/t", "-q", "1", "-r", "-m", "kept"]);
    const s = sub(["-p", port, "-t", "r/#", "-C", "1", "-F", "%t %r %p"]);
    const out = await within(s.output, "mosquitto_sub exit");
    expect(out.split("\n").filter((l) => l.startsWith("r/t"))).toEqual(["r/t 1 kept"]);
  });
});
