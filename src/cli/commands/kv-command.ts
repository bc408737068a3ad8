// `natsgate kv ...`: the nats CLI's key-value commands (add, put, get, del, purge, history, watch, ls, rm, info).

import { type KV, type KvEntry, Kvm, type KvStatus } from "@nats-io/kv";
import type { Command } from "commander";
import { comma, formatIBytes, parseBytes } from "./byte-size.js";
import { CliError, withContext } from "./cli-error.js";
import { humanDuration, parseLimitDuration } from "./duration.js";
import { enumValue, intValue } from "./flag-values.js";
import { Columns, formatTime, renderTable, toJson } from "./output.js";
import { canPrompt, confirm } from "./prompt.js";
import { type Session, withSession } from "./session.js";

async function openBucket(s: Session, bucket: string): Promise<KV> {
  return new Kvm(s.js()).open(bucket).catch((e: unknown) => {
    throw withContext(`could not open bucket ${bucket}`, e);
  });
}

async function confirmOrForce(question: string, force: boolean | undefined): Promise<void> {
  if (force) return;
  if (!canPrompt()) throw new CliError(`${question}: use --force to confirm without a terminal`);
  if (!(await confirm(question, false))) throw new CliError("aborted");
}

function renderStatus(st: KvStatus): string {
  const cols = new Columns(
    `Information for Key-Value Store Bucket ${st.bucket} created ${formatTime(st.streamInfo.created)}`,
  );
  cols.section("Configuration");
  cols.row("Bucket Name", st.bucket);
  cols.rowIf("Description", st.description, Boolean(st.description));
  cols.row("History Kept", comma(st.history));
  cols.row("Values Stored", comma(st.values));
  cols.row("Maximum Age", st.ttl > 0 ? humanDuration(st.ttl * 1e6) : "unlimited");
  cols.row("Replicas", st.replicas);
  cols.row("Backing Store Kind", "JetStream");
  cols.row("Bucket Size", formatIBytes(st.size));
  const cfg = st.streamInfo.config;
  cols.row("Maximum Bucket Size", cfg.max_bytes > 0 ? formatIBytes(cfg.max_bytes) : "unlimited");
  cols.row("Maximum Value Size", cfg.max_msg_size > 0 ? formatIBytes(cfg.max_msg_size) : "unlimited");
  cols.row("JetStream Stream", cfg.name);
  cols.row("Storage", cfg.storage === "memory" ? "Memory" : "File");
  return cols.render();
}

function renderEntry(e: KvEntry): string {
  return `${e.bucket} > ${e.key} revision: ${e.revision} created @ ${formatTime(e.created.toISOString())}\n\n${e.string()}\n`;
}

function registerAdd(kv: Command): void {
  kv.command("add")
    .alias("new")
    .description("Adds a new KV Store Bucket")
    .argument("<bucket>", "Bucket name")
    .option("--history <n>", "How many historic values to keep per key", "1")
    .option("--ttl <duration>", "How long to keep values for")
    .option("--replicas <n>", "How many replicas of the data to store", "1")
    .option("--max-value-size <bytes>", "Maximum size for any single value")
    .option("--max-bucket-size <bytes>", "Maximum size for the bucket")
    .option("--storage <type>", "Storage backend to use (file, memory)", "file")
    .option("--description <text>", "A description for the bucket")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, o: Record<string, string | undefined>, cmd: Command) => {
      const opts = {
        history: intValue("history", o.history ?? "1"),
        replicas: intValue("replicas", o.replicas ?? "1"),
        storage: enumValue("storage", o.storage ?? "file", ["file", "memory"]) as "file" | "memory",
        ...(o.ttl ? { ttl: parseLimitDuration(o.ttl, "ttl") / 1e6 } : {}),
        ...(o.maxValueSize ? { maxValueSize: parseBytes(o.maxValueSize, "maximum value size") } : {}),
        ...(o.maxBucketSize ? { max_bytes: parseBytes(o.maxBucketSize, "maximum bucket size") } : {}),
        ...(o.description ? { description: o.description } : {}),
      };
      await withSession(cmd, async (s) => {
        const store = await new Kvm(s.js()).create(bucket, opts).catch((e: unknown) => {
          throw withContext("could not create bucket", e);
        });
        const st = await store.status();
        s.out.out(o.json ? toJson(st.streamInfo) : renderStatus(st));
      });
    });
}

function registerReadWrite(kv: Command): void {
  kv.command("put")
    .description("Puts a value into a key")
    .argument("<bucket>", "Bucket name")
    .argument("<key>", "Key")
    .argument("[value]", "Value (read from stdin when absent)")
    .action(async (bucket: string, key: string, value: string | undefined, _o, cmd: Command) => {
      let data = value;
      if (data === undefined) {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        data = Buffer.concat(chunks).toString("utf8");
      }
      await withSession(cmd, async (s) => {
        await (await openBucket(s, bucket)).put(key, data).catch((e: unknown) => {
          throw withContext("could not put value", e);
        });
        s.out.out(`${data}\n`);
      });
    });

  kv.command("get")
    .description("Gets a value for a key")
    .argument("<bucket>", "Bucket name")
    .argument("<key>", "Key")
    .option("--revision <n>", "Gets a specific revision")
    .option("--raw", "Show only the value string")
    .option("-j, --json", "Produce JSON output")
    .action(
      async (
        bucket: string,
        key: string,
        o: { revision?: string; raw?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        await withSession(cmd, async (s) => {
          const store = await openBucket(s, bucket);
          const e = await store
            .get(key, o.revision ? { revision: intValue("revision", o.revision) } : undefined)
            .catch((err: unknown) => {
              throw withContext("could not get value", err);
            });
          if (e?.operation !== "PUT") throw new CliError("key not found");
          if (o.raw) return s.out.out(e.string());
          if (o.json)
            return s.out.out(
              toJson({
                bucket: e.bucket,
                key: e.key,
                value: Buffer.from(e.value).toString("base64"),
                revision: e.revision,
                created: e.created.toISOString(),
                operation: e.operation,
              }),
            );
          s.out.out(renderEntry(e));
        });
      },
    );

  for (const [name, purge] of [
    ["del", false],
    ["purge", true],
  ] as const) {
    kv.command(name)
      .description(
        purge
          ? "Deletes a key from the bucket, clearing history"
          : "Deletes a key from the bucket, preserving history",
      )
      .argument("<bucket>", "Bucket name")
      .argument("<key>", "Key")
      .option("-f, --force", "Act without confirmation")
      .action(async (bucket: string, key: string, o: { force?: boolean }, cmd: Command) => {
        await confirmOrForce(`${purge ? "Purge" : "Delete"} key ${bucket} > ${key}?`, o.force);
        await withSession(cmd, async (s) => {
          const store = await openBucket(s, bucket);
          await (purge ? store.purge(key) : store.delete(key)).catch((e: unknown) => {
            throw withContext(`could not ${name} key`, e);
          });
        });
      });
  }
}

function registerHistoryWatch(kv: Command): void {
  kv.command("history")
    .description("Shows the full history for a key")
    .argument("<bucket>", "Bucket name")
    .argument("<key>", "Key")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, key: string, o: { json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const it = await (await openBucket(s, bucket)).history({ key });
        const entries: KvEntry[] = [];
        for await (const e of it) entries.push(e);
        if (o.json)
          return s.out.out(
            toJson(
              entries.map((e) => ({
                key: e.key,
                revision: e.revision,
                operation: e.operation,
                created: e.created.toISOString(),
                value: e.string(),
              })),
            ),
          );
        const rows = entries.map((e) => [
          e.key,
          String(e.revision),
          e.operation,
          formatTime(e.created.toISOString()),
          String(e.length),
          e.operation === "PUT" ? e.string() : "",
        ]);
        s.out.out(
          renderTable(
            `History for ${bucket} > ${key}`,
            ["Key", "Revision", "Op", "Created", "Length", "Value"],
            rows,
          ),
        );
      });
    });

  kv.command("watch")
    .description("Watch the bucket or a specific key for updated")
    .argument("<bucket>", "Bucket name")
    .argument("[key]", "Key or wildcard to watch", ">")
    .option("--count <n>", "Quit after this many updates")
    .action(async (bucket: string, key: string, o: { count?: string }, cmd: Command) => {
      const max = o.count ? intValue("count", o.count) : Number.POSITIVE_INFINITY;
      await withSession(cmd, async (s) => {
        const w = await (await openBucket(s, bucket)).watch({ key });
        const stop = () => w.stop();
        process.once("SIGINT", stop);
        let n = 0;
        for await (const e of w) {
          const value = e.operation === "PUT" ? `: ${e.string()}` : "";
          s.out.out(
            `[${formatTime(e.created.toISOString())}] ${e.operation} ${e.bucket} > ${e.key}${value}\n`,
          );
          if (++n >= max) break;
        }
        process.removeListener("SIGINT", stop);
      });
    });
}

function registerBuckets(kv: Command): void {
  kv.command("ls")
    .alias("list")
    .description("List available buckets or the keys in a bucket")
    .argument("[bucket]", "The bucket to list the keys")
    .option("-n, --names", "Show just the bucket names")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string | undefined, o: { names?: boolean; json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        if (bucket) {
          const keys: string[] = [];
          for await (const k of await (await openBucket(s, bucket)).keys()) keys.push(k);
          keys.sort();
          if (o.json) return s.out.out(toJson(keys));
          if (keys.length === 0) return s.out.out("No keys found in bucket\n");
          return s.out.out(keys.map((k) => `${k}\n`).join(""));
        }
        const list: KvStatus[] = [];
        for await (const st of new Kvm(s.js()).list()) list.push(st);
        list.sort((a, b) => a.bucket.localeCompare(b.bucket));
        if (o.json) return s.out.out(toJson(list.map((st) => st.bucket)));
        if (o.names) return s.out.out(list.map((st) => `${st.bucket}\n`).join(""));
        if (list.length === 0) return s.out.out("No Key-Value buckets found\n");
        const rows = list.map((st) => [
          st.bucket,
          st.description ?? "",
          formatTime(st.streamInfo.created),
          formatIBytes(st.size),
          comma(st.values),
          formatTime(st.streamInfo.state.last_ts),
        ]);
        s.out.out(
          renderTable(
            "Key-Value Buckets",
            ["Bucket", "Description", "Created", "Size", "Values", "Last Update"],
            rows,
          ),
        );
      });
    });

  kv.command("info")
    .alias("status")
    .description("View the status of a KV store")
    .argument("<bucket>", "Bucket name")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, o: { json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const st = await (await openBucket(s, bucket)).status();
        s.out.out(o.json ? toJson(st.streamInfo) : renderStatus(st));
      });
    });

  kv.command("rm")
    .description("Removes a bucket")
    .argument("<bucket>", "Bucket name")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, o: { force?: boolean }, cmd: Command) => {
      await confirmOrForce(`Delete bucket ${bucket}?`, o.force);
      await withSession(cmd, async (s) => {
        await (await s.jsm()).streams.delete(`KV_${bucket}`).catch((e: unknown) => {
          throw withContext(`could not remove bucket ${bucket}`, e);
        });
      });
    });
}

export function registerKvCommands(program: Command): void {
  const kv = program.command("kv").description("Interacts with a JetStream based Key-Value store");
  registerAdd(kv);
  registerReadWrite(kv);
  registerHistoryWatch(kv);
  registerBuckets(kv);
}
