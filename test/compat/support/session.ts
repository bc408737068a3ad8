// Scripted raw-protocol sessions: a session is a short table of steps (send bytes, expect exact bytes, expect
// close) on one or more connections; running it against a server yields a transcript of what that server sent.

import { RawClient } from "../../helpers/raw-client.js";
import { SETUPS, type SetupName, type Target } from "./targets.js";

export type Step =
  | { op: "send"; conn: number; data: string; bytewise: boolean }
  | { op: "recv"; conn: number; data: string; timeoutMs: number }
  | { op: "closed"; conn: number; timeoutMs: number }
  | { op: "open"; conn: number }
  | { op: "recvOnce"; conns: number[]; data: string };

export interface Session {
  name: string;
  setup?: SetupName;
  /** Steps, possibly nested (builders such as alive() return several). */
  steps: (Step | Step[])[];
}

export interface SessionResult {
  /** One entry per observation: what the server sent, a close, a failure. Equal across servers = compatible. */
  transcript: string[];
  /** The first step that did not go as scripted. */
  failure?: string;
}

const STEP_TIMEOUT = 5000;

// ---- builders: each returns data for a session table --------------------------------------------------

/** The CONNECT most sessions use: nats-server defaults verbose and pedantic to true, so both are turned off. */
export const CONNECT = 'CONNECT {"verbose":false,"pedantic":false}\r\n';
export const CONNECT_HEADERS = 'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n';

export const send = (data: string, conn = 0): Step => ({ op: "send", conn, data, bytewise: false });
/** Sends one byte per write, so every frame boundary and CRLF is split. */
export const sendBytewise = (data: string, conn = 0): Step => ({ op: "send", conn, data, bytewise: true });
/** The next bytes the server sends on `conn` must be exactly `data`. */
export const recv = (data: string, conn = 0, timeoutMs = STEP_TIMEOUT): Step => ({
  op: "recv",
  conn,
  data,
  timeoutMs,
});
export const ok = (conn = 0): Step => recv("+OK\r\n", conn);
export const err = (text: string, conn = 0, timeoutMs = STEP_TIMEOUT): Step =>
  recv(`-ERR '${text}'\r\n`, conn, timeoutMs);
/** The server closes `conn` with nothing more sent. */
export const closed = (conn = 0, timeoutMs = STEP_TIMEOUT): Step => ({ op: "closed", conn, timeoutMs });
/** Opens connection `conn` and consumes its INFO. */
export const open = (conn: number): Step => ({ op: "open", conn });
/**
 * Exactly one of `conns` receives `data` (queue groups pick a member at random). Each connection is sent a PING:
 * what arrives before its PONG is what it was delivered, since the server queued that first.
 */
export const recvOnce = (data: string, conns: number[]): Step => ({ op: "recvOnce", conns, data });
/** PING answered by PONG as the very next bytes: the connection is open and nothing else was pending. */
export const alive = (conn = 0): Step[] => [send("PING\r\n", conn), recv("PONG\r\n", conn)];

// ---- runner --------------------------------------------------------------------------------------------

/** INFO carries per-server and per-connection values; keep the field names, drop those values. */
export function normaliseInfoLines(text: string): string {
  return text.replace(/INFO (\{[^\r\n]*\})/g, (_m, json: string) => {
    try {
      const info = JSON.parse(json) as Record<string, unknown>;
      return `INFO <${Object.keys(info).sort().join(",")}>`;
    } catch {
      return "INFO <unparsable>";
    }
  });
}

const show = (s: string) => JSON.stringify(normaliseInfoLines(s));

/** Starts a fresh server for the session (limits such as max_connections must not leak between sessions). */
export async function runSession(target: Target, session: Session): Promise<SessionResult> {
  const server = await target.start(SETUPS[session.setup ?? "default"]);
  const clients = new Map<number, RawClient>();
  const transcript: string[] = [];
  let failure: string | undefined;
  try {
    clients.set(0, await RawClient.connect(server.port));
    for (const [i, step] of session.steps.flat().entries()) {
      try {
        await runStep(step, clients, server.port, transcript);
      } catch (e) {
        const conn = step.op === "recvOnce" ? step.conns[0]! : step.conn;
        const c = clients.get(conn);
        const unread = c ? c.unread().toString("latin1") : "";
        failure = `${target.name}: step ${i} (${step.op} on c${conn}) failed: ${(e as Error).message}`;
        transcript.push(
          `c${conn} ${step.op} failed; unread ${show(unread)}${c?.closed ? " then closed" : ""}`,
        );
        break;
      }
    }
    if (!failure) failure = checkNothingLeft(clients, transcript);
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await server.stop();
  }
  return { transcript, failure };
}

async function runStep(step: Step, clients: Map<number, RawClient>, port: number, transcript: string[]) {
  if (step.op === "open") {
    clients.set(step.conn, await RawClient.connect(port));
    transcript.push(`c${step.conn} open`);
    return;
  }
  if (step.op === "recvOnce") {
    await expectOnce(step, clients);
    transcript.push(`one of ${step.conns.map((n) => `c${n}`).join(",")} recv ${show(step.data)}`);
    return;
  }
  const c = clients.get(step.conn);
  if (!c) throw new Error(`connection ${step.conn} was not opened`);
  switch (step.op) {
    case "send":
      if (step.bytewise) await c.sendBytewise(step.data);
      else await c.send(step.data);
      return;
    case "recv":
      await c.expectBytes(step.data, step.timeoutMs);
      transcript.push(`c${step.conn} recv ${show(step.data)}`);
      return;
    case "closed":
      await c.expectClosed(step.timeoutMs);
      transcript.push(`c${step.conn} closed`);
      return;
  }
}

async function expectOnce(step: { conns: number[]; data: string }, clients: Map<number, RawClient>) {
  const got: string[] = [];
  for (const n of step.conns) {
    const c = clients.get(n);
    if (!c) throw new Error(`connection ${n} was not opened`);
    await c.send("PING\r\n");
    let before = "";
    for (let line = await c.readLine(STEP_TIMEOUT); line !== "PONG"; line = await c.readLine(STEP_TIMEOUT)) {
      before += `${line}\r\n`;
    }
    got.push(before);
  }
  const hits = got.filter((g) => g === step.data).length;
  const others = got.filter((g) => g !== step.data && g !== "").length;
  if (hits !== 1 || others !== 0)
    throw new Error(`expected one of the connections to get the data, got ${show(JSON.stringify(got))}`);
}

/** Bytes nobody expected, already received when the script ended, mean the script did not see everything. */
function checkNothingLeft(clients: Map<number, RawClient>, transcript: string[]): string | undefined {
  for (const [n, c] of clients) {
    if (c.unread().length) {
      transcript.push(`c${n} unexpected ${show(c.unread().toString("latin1"))}`);
      return `c${n} received bytes the script did not expect: ${show(c.unread().toString("latin1"))}`;
    }
  }
  return undefined;
}
