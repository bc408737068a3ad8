// `consumer next`: pulls messages from a pull consumer with $JS.API.CONSUMER.MSG.NEXT and acks, naks or terms them.

import type { Msg } from "@nats-io/transport-node";
import type { Command } from "commander";
import { CliError, withContext } from "./cli-error.js";
import { parseDuration } from "./duration.js";
import { intValue } from "./flag-values.js";
import { renderHeaders } from "./message-render.js";
import { withSession } from "./session.js";

interface NextOptions {
  ack?: boolean;
  nak?: boolean;
  term?: boolean;
  raw?: boolean;
  wait?: string;
  count?: string;
}

/** The fields of a `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` reply subject. */
function ackMeta(
  reply: string,
): { delivered: number; sseq: number; cseq: number; pending: number } | undefined {
  const t = reply.split(".");
  if (t[0] !== "$JS" || t[1] !== "ACK" || t.length < 9) return undefined;
  const tail = t.slice(-5).map(Number);
  return {
    delivered: tail[0] ?? 0,
    sseq: tail[1] ?? 0,
    cseq: tail[2] ?? 0,
    pending: Number(t[t.length - 1]),
  };
}

function describe(m: Msg): string {
  const meta = m.reply ? ackMeta(m.reply) : undefined;
  const time = new Date().toTimeString().slice(0, 8);
  const head = meta
    ? `[${time}] subj: ${m.subject} / tries: ${meta.delivered} / cons seq: ${meta.cseq} / str seq: ${meta.sseq} / pending: ${meta.pending}`
    : `[${time}] subj: ${m.subject}`;
  return `${head}\n\n${renderHeaders(m.headers)}${m.string()}\n`;
}

export function registerConsumerNext(consumer: Command): void {
  consumer
    .command("next")
    .description("Retrieves messages from Pull consumers without interactive prompts")
    .argument("<stream>", "Stream name")
    .argument("<consumer>", "Consumer name")
    .option("--ack", "Acknowledge received message (default true)")
    .option("--no-ack", "Do not acknowledge received message")
    .option("--nak", "Perform a Negative Acknowledgement on the message")
    .option("--term", "Terms the message")
    .option("-r, --raw", "Show only the message")
    .option("--wait <duration>", "Wait up to this period to acknowledge messages")
    .option("--count <n>", "Number of messages to try to fetch from the pull consumer", "1")
    .action(async (stream: string, name: string, o: NextOptions, cmd: Command) => {
      const count = intValue("count", o.count ?? "1");
      await withSession(cmd, async (s) => {
        const subject = `${s.flags.jsApiPrefix ?? "$JS.API"}.CONSUMER.MSG.NEXT.${stream}.${name}`;
        // The message arrives on its own subject, not the inbox token a muxed request waits for: noMux.
        // The server answers an expired pull with a 408 status; expire a little before the client gives up.
        const expires = Math.max(100, s.timeout - 250) * 1e6;
        for (let i = 0; i < count; i++) {
          const m = await s.nc
            .request(subject, JSON.stringify({ batch: 1, expires }), { timeout: s.timeout, noMux: true })
            .catch((e: unknown) => {
              throw withContext("could not request next message", e);
            });
          const status = m.headers?.code ?? 0;
          if (status === 404 || status === 408)
            throw new CliError(`no message received: ${m.headers?.description ?? status}`);
          if (status >= 400)
            throw new CliError(
              `could not request next message: ${status} ${m.headers?.description ?? ""}`.trim(),
            );
          s.out.out(o.raw ? `${m.string()}\n` : describe(m));
          if (o.wait) await new Promise((r) => setTimeout(r, parseDuration(o.wait as string, "wait") / 1e6));
          const reply = o.term ? "+TERM" : o.nak ? "-NAK" : o.ack === false ? undefined : "+ACK";
          if (reply && m.reply) {
            s.nc.publish(m.reply, reply);
            await s.nc.flush();
            if (!o.raw)
              s.out.out(
                `${reply === "+ACK" ? "Acknowledged" : reply === "-NAK" ? "NaK'd" : "Terminated"} message\n\n`,
              );
          }
        }
      });
    });
}
