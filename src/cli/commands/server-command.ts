// `natsgate server ...`: ping (system account PING), info (the connected server's INFO, or VARZ with system
// access) and check connection|jetstream|stream (Nagios-style one-line results).

import type { Command } from "commander";
import { CliError, withContext } from "./cli-error.js";
import { parseDuration } from "./duration.js";
import { intValue } from "./flag-values.js";
import { Columns, toJson } from "./output.js";
import { type Session, withSession } from "./session.js";

interface PingReply {
  server?: { name?: string; id?: string };
}

/** Collects every reply to a system request until `expect` replies or the timeout. */
async function gather(
  s: Session,
  subject: string,
  expect: number | undefined,
): Promise<{ data: PingReply; rttMs: number }[]> {
  const start = performance.now();
  const replies: { data: PingReply; rttMs: number }[] = [];
  const inbox = `_INBOX.${Math.random().toString(36).slice(2)}`;
  const sub = s.nc.subscribe(inbox, expect ? { max: expect } : {});
  const timer = setTimeout(() => sub.unsubscribe(), s.timeout);
  s.nc.publish(subject, "", { reply: inbox });
  for await (const m of sub) {
    // Outside the system account nobody serves $SYS requests: the server answers with an empty 503
    // no-responders status, which ends the wait instead of being parsed as a reply.
    if (m.data.length === 0 && m.headers?.code === 503) break;
    replies.push({ data: m.json<PingReply>(), rttMs: performance.now() - start });
  }
  clearTimeout(timer);
  return replies;
}

function registerPing(server: Command): void {
  server
    .command("ping")
    .description("Ping all servers (requires system account access)")
    .argument("[expect]", "How many servers to expect")
    .option("--id", "Include the server ID in the output")
    .action(async (expect: string | undefined, o: { id?: boolean }, cmd: Command) => {
      const want = expect ? intValue("expect", expect) : undefined;
      await withSession(cmd, async (s) => {
        const replies = await gather(s, "$SYS.REQ.SERVER.PING", want);
        if (replies.length === 0)
          throw new CliError("no responses received: server ping needs system account credentials");
        const width = Math.max(...replies.map((r) => (r.data.server?.name ?? "").length)) + 2;
        for (const r of replies) {
          const name = `${r.data.server?.name ?? ""}${o.id ? ` (${r.data.server?.id})` : ""}`;
          s.out.out(`${name.padEnd(width)} rtt=${r.rttMs.toFixed(2)}ms\n`);
        }
        const rtts = replies.map((r) => r.rttMs);
        const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
        s.out.out(
          `\n---- ping statistics ----\n${replies.length} replies max: ${Math.max(...rtts).toFixed(2)} min: ${Math.min(...rtts).toFixed(2)} avg: ${avg.toFixed(2)}\n`,
        );
        if (want !== undefined && replies.length < want)
          throw new CliError(`expected ${want} replies, got ${replies.length}`);
      });
    });
}

function registerInfo(server: Command): void {
  server
    .command("info")
    .description("Show information about the connected server (VARZ with system access)")
    .argument("[server]", "Server ID or Name to inspect (requires system account access)")
    .option("-j, --json", "Produce JSON output")
    .action(async (target: string | undefined, o: { json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        if (target) {
          const m = await s.nc
            .request(`$SYS.REQ.SERVER.${target}.VARZ`, "", { timeout: s.timeout })
            .catch((e: unknown) => {
              throw withContext("could not get server info (system account access required)", e);
            });
          return s.out.out(toJson(m.json()));
        }
        const info = s.nc.info;
        if (!info) throw new CliError("no server INFO received");
        if (o.json) return s.out.out(toJson(info));
        const cols = new Columns(`Server information for ${info.server_name} (${info.server_id})`);
        cols.section("Process Details");
        cols.row("Version", info.version);
        cols.row("Git Commit", info.git_commit ?? "");
        cols.row("Go Version", info.go);
        cols.row("Host", `${info.host}:${info.port}`);
        cols.section("Connection Details");
        cols.row("Auth Required", info.auth_required === true);
        cols.row("TLS Required", info.tls_required === true);
        cols.row("Maximum Payload", info.max_payload);
        cols.row("Headers Supported", info.headers === true);
        cols.row("JetStream", (info as { jetstream?: boolean }).jetstream === true);
        cols.row("Cluster", info.cluster ?? "");
        cols.row("Client ID", info.client_id);
        cols.row("Client IP", info.client_ip ?? "");
        s.out.out(cols.render());
      });
    });
}

function nagios(s: Session, name: string, ok: string[], crit: string[], perf: string[]): void {
  const status = crit.length > 0 ? "CRITICAL" : "OK";
  const parts = [...crit.map((c) => `Crit:${c}`), ...ok.map((c) => `OK:${c}`)];
  s.out.out(`${name} ${status} ${parts.join(" ")}${perf.length ? ` | ${perf.join(" ")}` : ""}\n`);
  if (crit.length > 0) throw new CliError(`${name} check failed: ${crit.join(", ")}`);
}

function registerCheck(server: Command): void {
  const check = server.command("check").description("Health check for NATS servers");
  check
    .command("connection")
    .description("Checks basic server connection")
    .option("--connect-warn <duration>", "Warning threshold to allow for establishing connections", "500ms")
    .option("--rtt-warn <duration>", "Warning threshold to allow for server RTT", "500ms")
    .action(async (o: { connectWarn: string; rttWarn: string }, cmd: Command) => {
      const start = performance.now();
      await withSession(cmd, async (s) => {
        const connectMs = performance.now() - start;
        const rtt = await s.nc.rtt();
        const crit: string[] = [];
        if (connectMs > parseDuration(o.connectWarn, "connect-warn") / 1e6)
          crit.push(`connected in ${connectMs.toFixed(0)}ms`);
        if (rtt > parseDuration(o.rttWarn, "rtt-warn") / 1e6) crit.push(`rtt time ${rtt.toFixed(2)}ms`);
        const ok = [
          `connected to ${s.nc.getServer()} in ${connectMs.toFixed(2)}ms`,
          `rtt time ${rtt.toFixed(2)}ms`,
        ];
        nagios(s, "Connection", crit.length ? [] : ok, crit, [
          `connect_time=${(connectMs / 1000).toFixed(4)}s`,
          `rtt=${(rtt / 1000).toFixed(4)}s`,
        ]);
      });
    });
  check
    .command("jetstream")
    .description("Checks JetStream account state")
    .action(async (_o, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const info = await (await s.jsm()).getAccountInfo().catch((e: unknown) => {
          throw withContext("JetStream not available", e);
        });
        nagios(
          s,
          "JetStream",
          [`${info.streams} streams`, `${info.consumers} consumers`],
          [],
          [
            `memory=${info.memory}B`,
            `storage=${info.storage}B`,
            `streams=${info.streams}`,
            `consumers=${info.consumers}`,
          ],
        );
      });
    });
  check
    .command("stream")
    .description("Checks the health of a stream")
    .requiredOption("--stream <name>", "The stream to check")
    .option("--msgs-warn <n>", "Warn if there are fewer than this many messages")
    .action(async (o: { stream: string; msgsWarn?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const info = await (await s.jsm()).streams.info(o.stream).catch((e: unknown) => {
          throw withContext(`could not load stream ${o.stream}`, e);
        });
        const crit: string[] = [];
        if (o.msgsWarn && info.state.messages < intValue("msgs-warn", o.msgsWarn))
          crit.push(`${info.state.messages} messages`);
        nagios(s, `Stream ${o.stream}`, crit.length ? [] : [`${info.state.messages} messages`], crit, [
          `messages=${info.state.messages}`,
          `bytes=${info.state.bytes}B`,
          `consumers=${info.state.consumer_count}`,
        ]);
      });
    });
}

export function registerServerCommands(program: Command): void {
  const server = program.command("server").description("Server information");
  registerPing(server);
  registerInfo(server);
  registerCheck(server);
}
