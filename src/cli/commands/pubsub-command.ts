// Core NATS commands: `pub` (count, templates, headers), `sub` (queue, raw, headers), `req` and `reply`.

import type { Msg, Subscription } from "@nats-io/transport-node";
import type { Command } from "commander";
import { CliError, withContext } from "./cli-error.js";
import { parseDuration } from "./duration.js";
import { intValue } from "./flag-values.js";
import { clock, collectRepeat, headersFromFlags, renderHeaders, renderTemplate } from "./message-render.js";
import { type Session, withSession } from "./session.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function bodyOrStdin(body: string | undefined, forceStdin: boolean | undefined): Promise<string> {
  if (body !== undefined && !forceStdin) return body;
  if (forceStdin || process.stdin.isTTY !== true) return readStdin();
  return "";
}

interface PubOptions {
  header?: string[];
  count?: string;
  sleep?: string;
  reply?: string;
  forceStdin?: boolean;
  quiet?: boolean;
}

function registerPub(program: Command): void {
  program
    .command("pub")
    .alias("publish")
    .description("Generic data publish utility")
    .argument("<subject>", "Subject to publish to")
    .argument("[body]", "Message body")
    .option("-H, --header <key:value>", "Adds headers to the message using K:V format", collectRepeat)
    .option("--count <n>", "Publish multiple messages", "1")
    .option("--sleep <duration>", "When publishing multiple messages, sleep between publishes")
    .option("--reply <subject>", "Sets a custom reply to subject")
    .option("--force-stdin", "Force reading from stdin")
    .option("-q, --quiet", "Do not print the publish notice")
    .action(async (subject: string, body: string | undefined, o: PubOptions, cmd: Command) => {
      const count = intValue("count", o.count ?? "1");
      const sleepMs = o.sleep ? parseDuration(o.sleep, "sleep") / 1e6 : 0;
      const template = await bodyOrStdin(body, o.forceStdin);
      const headers = headersFromFlags(o.header);
      await withSession(cmd, async (s) => {
        for (let i = 1; i <= count; i++) {
          const data = renderTemplate(template, i);
          s.nc.publish(subject, data, {
            ...(headers ? { headers } : {}),
            ...(o.reply ? { reply: o.reply } : {}),
          });
          if (sleepMs > 0) await new Promise((r) => setTimeout(r, sleepMs));
          if (count === 1 && !o.quiet)
            s.out.err(`${clock()} Published ${Buffer.byteLength(data)} bytes to "${subject}"\n`);
        }
        await s.nc.flush();
        if (count > 1 && !o.quiet) s.out.err(`${clock()} Published ${count} messages to "${subject}"\n`);
      });
    });
}

function printMsg(s: Session, m: Msg, n: number, raw: boolean): void {
  if (raw) {
    s.out.out(`${m.string()}\n`);
    return;
  }
  const reply = m.reply ? ` with reply "${m.reply}"` : "";
  s.out.out(`[#${n}] Received on "${m.subject}"${reply}\n${renderHeaders(m.headers)}${m.string()}\n\n`);
}

/** Resolves when the subscription ends (count reached) or the process is interrupted. */
async function drainUntilDone(
  sub: Subscription,
  each: (m: Msg, n: number) => Promise<void> | void,
): Promise<void> {
  const stop = () => sub.unsubscribe();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let n = 0;
    for await (const m of sub) await each(m, ++n);
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

function registerSub(program: Command): void {
  program
    .command("sub")
    .alias("subscribe")
    .description("Generic subscription client")
    .argument("<subject>", "Subject to subscribe to")
    .option("--queue <group>", "Subscribe to a named queue group")
    .option("-r, --raw", "Show the raw data received")
    .option("--count <n>", "Quit after receiving this many messages")
    .option("--headers-only", "Do not render any data, shows only headers")
    .action(
      async (
        subject: string,
        o: { queue?: string; raw?: boolean; count?: string; headersOnly?: boolean },
        cmd: Command,
      ) => {
        const max = o.count ? intValue("count", o.count) : undefined;
        await withSession(cmd, async (s) => {
          const sub = s.nc.subscribe(subject, {
            ...(o.queue ? { queue: o.queue } : {}),
            ...(max ? { max } : {}),
          });
          await s.nc.flush();
          if (!o.raw)
            s.out.err(`${clock()} Subscribing on ${subject}${o.queue ? ` in group ${o.queue}` : ""}\n`);
          await drainUntilDone(sub, (m, n) => {
            if (o.headersOnly) s.out.out(`[#${n}] Received on "${m.subject}"\n${renderHeaders(m.headers)}\n`);
            else printMsg(s, m, n, o.raw === true);
          });
        });
      },
    );
}

function registerReq(program: Command): void {
  program
    .command("req")
    .alias("request")
    .description("Generic request-reply request utility")
    .argument("<subject>", "Subject to send the request to")
    .argument("[body]", "Message body")
    .option("-H, --header <key:value>", "Adds headers to the message using K:V format", collectRepeat)
    .option("-r, --raw", "Show just the output received")
    .option("--count <n>", "Send multiple requests", "1")
    .option("--force-stdin", "Force reading from stdin")
    .action(
      async (
        subject: string,
        body: string | undefined,
        o: { header?: string[]; raw?: boolean; count?: string; forceStdin?: boolean },
        cmd: Command,
      ) => {
        const count = intValue("count", o.count ?? "1");
        const template = await bodyOrStdin(body, o.forceStdin);
        const headers = headersFromFlags(o.header);
        await withSession(cmd, async (s) => {
          for (let i = 1; i <= count; i++) {
            if (!o.raw) s.out.err(`${clock()} Sending request on "${subject}"\n`);
            const start = process.hrtime.bigint();
            const m = await s.nc
              .request(subject, renderTemplate(template, i), {
                timeout: s.timeout,
                ...(headers ? { headers } : {}),
              })
              .catch((e: unknown) => {
                throw withContext("request failed", e);
              });
            const rtt = Number(process.hrtime.bigint() - start) / 1e6;
            if (o.raw) s.out.out(`${m.string()}\n`);
            else
              s.out.out(
                `${clock()} Received with rtt ${rtt.toFixed(3)}ms\n${renderHeaders(m.headers)}${m.string()}\n\n`,
              );
          }
        });
      },
    );
}

function registerReply(program: Command): void {
  program
    .command("reply")
    .description("Generic service reply utility")
    .argument("<subject>", "Subject to subscribe to")
    .argument("[body]", "Reply body; {{.Request}} is the request body, {{.Count}} the request number")
    .option("--echo", "Echo back what is received")
    .option("--queue <group>", "Queue group name", "NATS-RPLY-22")
    .option("--count <n>", "Quit after receiving this many messages")
    .option("-H, --header <key:value>", "Adds headers to the reply using K:V format", collectRepeat)
    .action(
      async (
        subject: string,
        body: string | undefined,
        o: { echo?: boolean; queue: string; count?: string; header?: string[] },
        cmd: Command,
      ) => {
        if (body === undefined && !o.echo) throw new CliError("no body or --echo given");
        const max = o.count ? intValue("count", o.count) : undefined;
        const headers = headersFromFlags(o.header);
        await withSession(cmd, async (s) => {
          const sub = s.nc.subscribe(subject, { queue: o.queue, ...(max ? { max } : {}) });
          await s.nc.flush();
          s.out.err(`${clock()} Listening on "${subject}" in group "${o.queue}"\n`);
          await drainUntilDone(sub, async (m, n) => {
            s.out.out(
              `${clock()} [#${n}] Received on subject "${m.subject}":\n${renderHeaders(m.headers)}${m.string()}\n\n`,
            );
            if (!m.reply) return;
            if (o.echo) s.nc.publish(m.reply, m.data, m.headers ? { headers: m.headers } : {});
            else s.nc.publish(m.reply, renderTemplate(body ?? "", n, m.string()), headers ? { headers } : {});
            await s.nc.flush();
          });
        });
      },
    );
}

export function registerPubSubCommands(program: Command): void {
  registerPub(program);
  registerSub(program);
  registerReq(program);
  registerReply(program);
}
