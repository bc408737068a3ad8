// `natsgate consumer ...`: the nats CLI's consumer management (add, edit, info, state, ls, rm, next).

import { readFileSync } from "node:fs";
import type { ConsumerConfig, ConsumerInfo } from "@nats-io/jetstream";
import type { Command } from "commander";
import { comma } from "./byte-size.js";
import { CliError, withContext } from "./cli-error.js";
import {
  addConsumerFlags,
  type ConsumerFlags,
  consumerConfigForAdd,
  consumerFieldsFromFlags,
} from "./consumer-flags.js";
import { registerConsumerNext } from "./consumer-next.js";
import { renderConsumerInfo } from "./consumer-render.js";
import { formatTime, renderTable, toJson } from "./output.js";
import { ask, canPrompt, confirm } from "./prompt.js";
import { withSession } from "./session.js";

async function names(stream: string | undefined, consumer: string | undefined): Promise<[string, string]> {
  const s = stream ?? (await ask("Stream Name", undefined, "stream argument"));
  const c = consumer ?? (await ask("Consumer Name", undefined, "consumer argument"));
  return [s, c];
}

function registerAdd(consumer: Command): void {
  addConsumerFlags(
    consumer
      .command("add")
      .alias("create")
      .alias("new")
      .description("Creates a new consumer")
      .argument("[stream]", "Stream name")
      .argument("[consumer]", "Consumer name")
      .option("--config <file>", "JSON file to read configuration from")
      .option("--output <file>", "Save configuration instead of creating")
      .option("--defaults", "Accept default values for all prompts"),
  ).action(async (stream: string | undefined, name: string | undefined, _o, cmd: Command) => {
    const f = cmd.opts<ConsumerFlags & { config?: string; output?: string }>();
    const target = stream ?? (await ask("Stream Name", undefined, "stream argument"));
    let cfg: Record<string, unknown>;
    if (f.config) {
      cfg = JSON.parse(readFileSync(f.config, "utf8")) as Record<string, unknown>;
      if (name) cfg.durable_name = name;
    } else {
      cfg = await consumerConfigForAdd(name, f);
    }
    if (f.output) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(f.output, toJson(cfg), { mode: 0o600 });
      return;
    }
    await withSession(cmd, async (s) => {
      const info = await (await s.jsm()).consumers
        .add(target, cfg as unknown as ConsumerConfig)
        .catch((e: unknown) => {
          throw withContext("Consumer creation failed", e);
        });
      s.out.out(f.json ? toJson(info) : renderConsumerInfo(info));
    });
  });
}

function registerEdit(consumer: Command): void {
  addConsumerFlags(
    consumer
      .command("edit")
      .alias("update")
      .description("Edits the configuration of a consumer")
      .argument("[stream]", "Stream name")
      .argument("[consumer]", "Consumer name")
      .option("--config <file>", "JSON file to read configuration from")
      .option("-f, --force", "Force edit without prompting")
      .option("--dry-run", "Only shows differences, do not edit the consumer"),
  ).action(async (stream: string | undefined, name: string | undefined, _o, cmd: Command) => {
    const f = cmd.opts<ConsumerFlags & { config?: string; force?: boolean; dryRun?: boolean }>();
    const [sname, cname] = await names(stream, name);
    const delta = f.config
      ? (JSON.parse(readFileSync(f.config, "utf8")) as Record<string, unknown>)
      : consumerFieldsFromFlags(f);
    await withSession(cmd, async (s) => {
      const jsm = await s.jsm();
      const current = await jsm.consumers.info(sname, cname).catch((e: unknown) => {
        throw withContext(`could not load Consumer ${sname} > ${cname}`, e);
      });
      const before = current.config as unknown as Record<string, unknown>;
      const changed = Object.keys(delta).filter(
        (k) => JSON.stringify(before[k]) !== JSON.stringify(delta[k]),
      );
      if (changed.length === 0) throw new CliError("no difference in configuration");
      if (f.dryRun) {
        const lines = changed.map(
          (k) => `- ${k}: ${JSON.stringify(before[k]) ?? "unset"}\n+ ${k}: ${JSON.stringify(delta[k])}`,
        );
        s.out.out(`Differences (-old +new):\n${lines.join("\n")}\n`);
        return;
      }
      if (!f.force && canPrompt() && !(await confirm(`Really edit Consumer ${sname} > ${cname}`, false))) {
        throw new CliError("aborted");
      }
      const next = { ...before, ...delta } as unknown as ConsumerConfig;
      const info = await jsm.consumers.add(sname, next).catch((e: unknown) => {
        throw withContext("could not edit consumer", e);
      });
      s.out.out(f.json ? toJson(info) : renderConsumerInfo(info));
    });
  });
}

function registerInfoLs(consumer: Command): void {
  for (const [cmdName, stateOnly] of [
    ["info", false],
    ["state", true],
  ] as const) {
    consumer
      .command(cmdName)
      .description(stateOnly ? "Consumer state" : "Consumer information")
      .argument("[stream]", "Stream name")
      .argument("[consumer]", "Consumer name")
      .option("-j, --json", "Produce JSON output")
      .action(
        async (stream: string | undefined, name: string | undefined, o: { json?: boolean }, cmd: Command) => {
          const [sname, cname] = await names(stream, name);
          await withSession(cmd, async (s) => {
            const info = await (await s.jsm()).consumers.info(sname, cname).catch((e: unknown) => {
              throw withContext(`could not load Consumer ${sname} > ${cname}`, e);
            });
            s.out.out(o.json ? toJson(info) : renderConsumerInfo(info, stateOnly));
          });
        },
      );
  }

  consumer
    .command("ls")
    .alias("list")
    .description("List known consumers")
    .argument("[stream]", "Stream name")
    .option("-j, --json", "Produce JSON output")
    .option("-n, --names", "Show just the consumer names")
    .action(async (stream: string | undefined, o: { json?: boolean; names?: boolean }, cmd: Command) => {
      const sname = stream ?? (await ask("Stream Name", undefined, "stream argument"));
      await withSession(cmd, async (s) => {
        const infos: ConsumerInfo[] = [];
        try {
          for await (const ci of (await s.jsm()).consumers.list(sname)) infos.push(ci);
        } catch (e) {
          throw withContext("could not load Consumers", e);
        }
        infos.sort((a, b) => a.name.localeCompare(b.name));
        const list = infos.map((ci) => ci.name);
        if (o.json) return s.out.out(toJson(list));
        if (o.names) return s.out.out(list.map((n) => `${n}\n`).join(""));
        if (infos.length === 0) return s.out.out(`No Consumers defined for Stream ${sname}\n`);
        const rows = infos.map((ci) => [
          ci.name,
          ci.config.description ?? "",
          formatTime(ci.created),
          comma(ci.num_ack_pending),
          comma(ci.num_pending),
          ci.delivered.last_active ? formatTime(String(ci.delivered.last_active)) : "never",
        ]);
        s.out.out(
          renderTable(
            `Consumers for Stream ${sname}`,
            ["Name", "Description", "Created", "Ack Pending", "Unprocessed", "Last Delivery"],
            rows,
          ),
        );
      });
    });
}

function registerRm(consumer: Command): void {
  consumer
    .command("rm")
    .alias("delete")
    .alias("del")
    .description("Removes a consumer")
    .argument("[stream]", "Stream name")
    .argument("[consumer]", "Consumer name")
    .option("-f, --force", "Force removal without prompting")
    .action(
      async (stream: string | undefined, name: string | undefined, o: { force?: boolean }, cmd: Command) => {
        const [sname, cname] = await names(stream, name);
        if (!o.force) {
          if (!canPrompt())
            throw new CliError(
              `Really delete Consumer ${sname} > ${cname}: use --force to confirm without a terminal`,
            );
          if (!(await confirm(`Really delete Consumer ${sname} > ${cname}`, false)))
            throw new CliError("aborted");
        }
        await withSession(cmd, async (s) => {
          await (await s.jsm()).consumers.delete(sname, cname).catch((e: unknown) => {
            throw withContext("could not remove Consumer", e);
          });
        });
      },
    );
}

/** Registers `consumer` (alias `con`) and its subcommands on the program. */
export function registerConsumerCommands(program: Command): void {
  const consumer = program.command("consumer").alias("con").description("JetStream consumer management");
  registerAdd(consumer);
  registerEdit(consumer);
  registerInfoLs(consumer);
  registerRm(consumer);
  registerConsumerNext(consumer);
}
