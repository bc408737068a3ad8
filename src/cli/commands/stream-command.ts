// `natsgate stream ...`: the nats CLI's stream management (add, edit, info, state, ls, rm, purge, get, rmm, report).

import { readFileSync } from "node:fs";
import type { PurgeOpts, StoredMsg, StreamConfig, StreamInfo } from "@nats-io/jetstream";
import type { Command } from "commander";
import { comma, formatIBytes } from "./byte-size.js";
import { CliError, withContext } from "./cli-error.js";
import { intValue } from "./flag-values.js";
import { formatTime, renderTable, toJson } from "./output.js";
import { ask, canPrompt, confirm } from "./prompt.js";
import { type Session, withSession } from "./session.js";
import {
  addStreamFlags,
  type StreamFlags,
  streamConfigForAdd,
  streamFieldsFromFlags,
} from "./stream-flags.js";
import { renderStreamInfo } from "./stream-render.js";
import { registerStreamReport } from "./stream-report.js";

function loadConfigFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw withContext(`invalid input ${path}`, err);
  }
}

async function streamName(name: string | undefined): Promise<string> {
  return name ?? (await ask("Stream Name", undefined, "stream name argument"));
}

/** Destructive actions ask first on a terminal; scripts must say --force. */
async function confirmOrForce(question: string, force: boolean | undefined): Promise<void> {
  if (force) return;
  if (!canPrompt()) throw new CliError(`${question}: use --force to confirm without a terminal`);
  if (!(await confirm(question, false))) throw new CliError("aborted");
}

async function showInfo(
  s: Session,
  info: StreamInfo,
  json: boolean | undefined,
  stateOnly = false,
): Promise<void> {
  s.out.out(json ? toJson(info) : renderStreamInfo(info, stateOnly));
}

function registerAddEdit(stream: Command): void {
  addStreamFlags(
    stream
      .command("add")
      .alias("create")
      .alias("new")
      .description("Create a new stream")
      .argument("[stream]", "Stream name")
      .option("--config <file>", "JSON file to read configuration from")
      .option("--output <file>", "Save configuration instead of creating")
      .option("--defaults", "Accept default values for all prompts"),
  ).action(async (name: string | undefined, _o, cmd: Command) => {
    const f = cmd.opts<StreamFlags & { config?: string; output?: string }>();
    const cfg = f.config
      ? { ...loadConfigFile(f.config), ...streamFieldsFromFlags(f), ...(name ? { name } : {}) }
      : await streamConfigForAdd(name, f);
    if (f.output) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(f.output, toJson(cfg), { mode: 0o600 });
      return;
    }
    await withSession(cmd, async (s) => {
      const jsm = await s.jsm();
      const info = await jsm.streams.add(cfg as unknown as StreamConfig).catch((e: unknown) => {
        throw withContext("could not create Stream", e);
      });
      s.out.out(
        f.json ? toJson(info) : `Stream ${String(cfg.name)} was created\n\n${renderStreamInfo(info)}`,
      );
    });
  });

  addStreamFlags(
    stream
      .command("edit")
      .alias("update")
      .description("Edits an existing stream")
      .argument("[stream]", "Stream to edit")
      .option("--config <file>", "JSON file to read configuration from")
      .option("-f, --force", "Force edit without prompting")
      .option("--dry-run", "Only shows differences, do not edit the stream"),
  ).action(async (name: string | undefined, _o, cmd: Command) => {
    const f = cmd.opts<StreamFlags & { config?: string; force?: boolean; dryRun?: boolean }>();
    const target = await streamName(name);
    await withSession(cmd, async (s) => {
      const jsm = await s.jsm();
      const current = await jsm.streams.info(target).catch((e: unknown) => {
        throw withContext("could not load Stream", e);
      });
      const base = f.config
        ? loadConfigFile(f.config)
        : (current.config as unknown as Record<string, unknown>);
      const next = { ...base, ...streamFieldsFromFlags(f), name: target };
      const changes = diffConfig(current.config as unknown as Record<string, unknown>, next);
      if (changes.length === 0) throw new CliError(`no difference in configuration`);
      if (f.dryRun) {
        s.out.out(`Differences (-old +new):\n${changes.join("\n")}\n`);
        return;
      }
      if (!f.force && canPrompt() && !(await confirm(`Really edit Stream ${target}`, false))) {
        throw new CliError("aborted");
      }
      const info = await jsm.streams.update(target, next as unknown as StreamConfig).catch((e: unknown) => {
        throw withContext(`could not edit Stream ${target}`, e);
      });
      s.out.out(f.json ? toJson(info) : `Stream ${target} was updated\n\n${renderStreamInfo(info)}`);
    });
  });
}

function diffConfig(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(key in b)) continue;
    const x = JSON.stringify(a[key]);
    const y = JSON.stringify(b[key]);
    if (x !== y) lines.push(`- ${key}: ${x ?? "unset"}\n+ ${key}: ${y}`);
  }
  return lines;
}

function registerInfoLs(stream: Command): void {
  for (const [cmdName, stateOnly] of [
    ["info", false],
    ["state", true],
  ] as const) {
    stream
      .command(cmdName)
      .description(stateOnly ? "Stream state" : "Stream information")
      .argument("[stream]", "Stream to retrieve information for")
      .option("-j, --json", "Produce JSON output")
      .option("--state", "Shows only the stream state")
      .action(async (name: string | undefined, o: { json?: boolean; state?: boolean }, cmd: Command) => {
        const target = await streamName(name);
        await withSession(cmd, async (s) => {
          const info = await (await s.jsm()).streams.info(target).catch((e: unknown) => {
            throw withContext("could not load Stream", e);
          });
          await showInfo(s, info, o.json, stateOnly || o.state === true);
        });
      });
  }

  stream
    .command("ls")
    .alias("list")
    .description("List all known streams")
    .option("--subject <subject>", "Limit the list to streams with matching subjects")
    .option("-n, --names", "Show just the stream names")
    .option("-j, --json", "Produce JSON output")
    .action(async (o: { subject?: string; names?: boolean; json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const infos: StreamInfo[] = [];
        for await (const si of (await s.jsm()).streams.list(o.subject)) infos.push(si);
        const shown = infos;
        shown.sort((x, y) => x.state.bytes - y.state.bytes || x.config.name.localeCompare(y.config.name));
        const names = shown.map((si) => si.config.name);
        if (o.json) return s.out.out(toJson(names));
        if (o.names) return s.out.out(names.map((n) => `${n}\n`).join(""));
        if (shown.length === 0) return s.out.out("No Streams defined\n");
        const rows = shown.map((si) => [
          si.config.name,
          si.config.description ?? "",
          formatTime(si.created),
          comma(si.state.messages),
          formatIBytes(si.state.bytes),
          si.state.messages > 0 ? formatTime(si.state.last_ts) : "never",
        ]);
        const title = o.subject ? `Streams matching ${o.subject}` : "Streams";
        s.out.out(
          renderTable(title, ["Name", "Description", "Created", "Messages", "Size", "Last Message"], rows),
        );
      });
    });
}

function registerRemoval(stream: Command): void {
  stream
    .command("rm")
    .alias("delete")
    .alias("del")
    .description("Removes a stream")
    .argument("[stream]", "Stream name")
    .option("-f, --force", "Force removal without prompting")
    .action(async (name: string | undefined, o: { force?: boolean }, cmd: Command) => {
      const target = await streamName(name);
      await confirmOrForce(`Really delete Stream ${target}`, o.force);
      await withSession(cmd, async (s) => {
        await (await s.jsm()).streams.delete(target).catch((e: unknown) => {
          throw withContext(`could not remove Stream ${target}`, e);
        });
      });
    });

  stream
    .command("purge")
    .description("Bulk removes messages from a stream")
    .argument("[stream]", "Stream name")
    .option("-j, --json", "Produce JSON output")
    .option("-f, --force", "Force removal without prompting")
    .option("--subject <subject>", "Limits the purge to a specific subject")
    .option("--seq <sequence>", "Purge up to but not including a specific message sequence")
    .option("--keep <messages>", "Keeps a certain number of messages after the purge")
    .action(
      async (
        name: string | undefined,
        o: { json?: boolean; force?: boolean; subject?: string; seq?: string; keep?: string },
        cmd: Command,
      ) => {
        const target = await streamName(name);
        const req: Record<string, unknown> = {};
        if (o.subject) req.filter = o.subject;
        if (o.seq) req.seq = intValue("seq", o.seq);
        if (o.keep) req.keep = intValue("keep", o.keep);
        await confirmOrForce(`Really purge Stream ${target}`, o.force);
        await withSession(cmd, async (s) => {
          const jsm = await s.jsm();
          await jsm.streams.purge(target, req as PurgeOpts).catch((e: unknown) => {
            throw withContext(`could not purge Stream ${target}`, e);
          });
          await showInfo(s, await jsm.streams.info(target), o.json);
        });
      },
    );

  stream
    .command("rmm")
    .description("Securely removes an individual message from a stream")
    .argument("[stream]", "Stream name")
    .argument("[id]", "Message Sequence to remove")
    .option("-f, --force", "Force removal without prompting")
    .action(
      async (name: string | undefined, id: string | undefined, o: { force?: boolean }, cmd: Command) => {
        const target = await streamName(name);
        const seq = intValue("id", id ?? (await ask("Message Sequence to remove", undefined, "id argument")));
        await confirmOrForce(`Really remove message ${seq} from Stream ${target}`, o.force);
        await withSession(cmd, async (s) => {
          await (await s.jsm()).streams.deleteMessage(target, seq, true).catch((e: unknown) => {
            throw withContext(`could not remove message ${seq}`, e);
          });
        });
      },
    );
}

function renderStoredMsg(target: string, m: StoredMsg): string {
  const lines = [
    `Item: ${target}#${m.seq} received ${formatTime(m.time.toISOString())} on Subject ${m.subject}`,
    "",
  ];
  if (m.header && m.header.keys().length > 0) {
    lines.push("Headers:");
    for (const k of m.header.keys()) for (const v of m.header.values(k)) lines.push(`  ${k}: ${v}`);
    lines.push("");
  }
  lines.push(m.string(), "");
  return `${lines.join("\n")}\n`;
}

function registerGet(stream: Command): void {
  stream
    .command("get")
    .description("Retrieves a specific message from a Stream")
    .argument("[stream]", "Stream name")
    .argument("[id]", "Message Sequence to retrieve")
    .option("-S, --last-for <subject>", "Retrieves the message for a specific subject")
    .option("-j, --json", "Produce JSON output")
    .action(
      async (
        name: string | undefined,
        id: string | undefined,
        o: { lastFor?: string; json?: boolean },
        cmd: Command,
      ) => {
        const target = await streamName(name);
        const query = o.lastFor
          ? { last_by_subj: o.lastFor }
          : {
              seq: intValue(
                "id",
                id ?? (await ask("Message Sequence to retrieve", undefined, "id argument")),
              ),
            };
        await withSession(cmd, async (s) => {
          const m = await (await s.jsm()).streams.getMessage(target, query).catch((e: unknown) => {
            throw withContext("could not retrieve message", e);
          });
          if (!m) throw new CliError("could not retrieve message: no message found");
          if (!o.json) return s.out.out(renderStoredMsg(target, m));
          const header: Record<string, string[]> = {};
          for (const k of m.header?.keys() ?? []) header[k] = m.header.values(k);
          s.out.out(
            toJson({
              subject: m.subject,
              seq: m.seq,
              ...(m.header ? { header } : {}),
              data: Buffer.from(m.data).toString("base64"),
              time: m.time.toISOString(),
            }),
          );
        });
      },
    );
}

/** Registers `stream` (alias `str`) and its subcommands on the program. */
export function registerStreamCommands(program: Command): void {
  const stream = program.command("stream").alias("str").description("JetStream stream management");
  registerAddEdit(stream);
  registerInfoLs(stream);
  registerRemoval(stream);
  registerGet(stream);
  registerStreamReport(stream);
}
