// `natsgate object ...` (alias `obj`): the nats CLI's object store commands (add, put, get, ls, info, del/rm,
// seal) on @nats-io/obj, with byte progress bars for large transfers on a terminal.

import { existsSync } from "node:fs";
import { basename, normalize, resolve } from "node:path";
import { type ObjectInfo, type ObjectStore, type ObjectStoreStatus, Objm } from "@nats-io/obj";
import type { Command } from "commander";
import { formatIBytes, parseBytes } from "./byte-size.js";
import { CliError, withContext } from "./cli-error.js";
import { humanDuration, parseLimitDuration } from "./duration.js";
import { collectList, collectMap, enumValue, intValue } from "./flag-values.js";
import { collectRepeat, headersFromFlags } from "./message-render.js";
import { getObject, putObject } from "./object-transfer.js";
import { Columns, formatTime, renderTable, toJson } from "./output.js";
import { confirmOrForce } from "./prompt.js";
import { type Session, withSession } from "./session.js";

async function openStore(s: Session, bucket: string): Promise<ObjectStore> {
  return new Objm(s.js()).open(bucket).catch((e: unknown) => {
    throw withContext(`could not open bucket ${bucket}`, e);
  });
}

function renderBucket(st: ObjectStoreStatus): string {
  const cfg = st.streamInfo.config;
  const cols = new Columns(
    `Information for Object Store Bucket ${st.bucket} created ${formatTime(st.streamInfo.created)}`,
  );
  cols.section("Configuration");
  cols.row("Bucket Name", st.bucket);
  cols.rowIf("Description", st.description, Boolean(st.description));
  cols.row("Replicas", st.replicas);
  cols.row("TTL", st.ttl > 0 ? humanDuration(st.ttl) : "unlimited");
  cols.row("Sealed", st.sealed);
  cols.row("Size", formatIBytes(st.size));
  cols.row("Maximum Bucket Size", cfg.max_bytes > 0 ? formatIBytes(cfg.max_bytes) : "unlimited");
  cols.row("Storage", cfg.storage === "memory" ? "Memory" : "File");
  cols.row("Backing Store Kind", st.backingStore);
  cols.row("JetStream Stream", cfg.name);
  return cols.render();
}

/** `SHA-256=<base64url>` as the nats CLI shows it: algorithm and hex digest. */
export function digestHex(digest: string): string {
  const i = digest.indexOf("=");
  if (i < 0) return digest;
  return `${digest.slice(0, i)} ${Buffer.from(digest.slice(i + 1), "base64url").toString("hex")}`;
}

function renderObject(nfo: ObjectInfo): string {
  const cols = new Columns(`Object information for ${nfo.bucket} > ${nfo.name}`);
  cols.rowIf("Description", nfo.description, Boolean(nfo.description));
  cols.row("Size", formatIBytes(nfo.size));
  cols.row("Modification Time", formatTime(nfo.mtime));
  cols.row("Chunks", nfo.chunks);
  cols.row("Digest", digestHex(nfo.digest));
  cols.rowIf("Deleted", nfo.deleted, nfo.deleted);
  const headers: string[] = [];
  for (const [k, vs] of nfo.headers ?? []) for (const v of vs) headers.push(`${k}: ${v}`);
  cols.rowIf("Headers", headers, headers.length > 0);
  return cols.render();
}

function objectJson(nfo: ObjectInfo): unknown {
  // ObjectInfo from the client exposes getters, so the fields are copied by name rather than spread.
  const headers: Record<string, string[]> = {};
  for (const [k, vs] of nfo.headers ?? []) headers[k] = vs;
  return {
    bucket: nfo.bucket,
    name: nfo.name,
    ...(nfo.description ? { description: nfo.description } : {}),
    nuid: nfo.nuid,
    size: nfo.size,
    chunks: nfo.chunks,
    digest: nfo.digest,
    mtime: nfo.mtime,
    revision: nfo.revision,
    deleted: nfo.deleted,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(nfo.options ? { options: nfo.options } : {}),
  };
}

interface AddFlags {
  ttl?: string;
  replicas: string;
  maxBucketSize?: string;
  description?: string;
  storage: string;
  tags?: string[];
  cluster?: string;
  metadata?: Record<string, string>;
  compress?: boolean;
  json?: boolean;
}

function registerAdd(obj: Command): void {
  obj
    .command("add")
    .description("Adds a new Object Store Bucket")
    .argument("<bucket>", "The bucket to act on")
    .option("--ttl <duration>", "How long to keep objects for")
    .option("--replicas <n>", "How many replicas of the data to store", "1")
    .option("--max-bucket-size <bytes>", "Maximum size for the bucket")
    .option("--description <text>", "A description for the bucket")
    .option("--storage <type>", "Storage backend to use (file, memory)", "file")
    .option("--tags <tag>", "Place the store on servers that has specific tags", collectList)
    .option("--cluster <name>", "Place the store on a specific cluster")
    .option("--metadata <key=value>", "Adds metadata to the bucket", collectMap)
    .option("--compress", "Compress the bucket data")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, o: AddFlags, cmd: Command) => {
      const storage = enumValue("storage", o.storage, ["file", "f", "memory", "m"]).startsWith("m")
        ? "memory"
        : "file";
      const placement = o.cluster || o.tags ? { cluster: o.cluster ?? "", tags: o.tags ?? [] } : undefined;
      const opts = {
        storage: storage as "file" | "memory",
        replicas: intValue("replicas", o.replicas),
        ...(o.ttl ? { ttl: parseLimitDuration(o.ttl, "ttl") } : {}),
        ...(o.maxBucketSize ? { max_bytes: parseBytes(o.maxBucketSize, "maximum bucket size") } : {}),
        ...(o.description ? { description: o.description } : {}),
        ...(placement ? { placement } : {}),
        ...(o.metadata ? { metadata: o.metadata } : {}),
        ...(o.compress ? { compression: true } : {}),
      };
      await withSession(cmd, async (s) => {
        const store = await new Objm(s.js()).create(bucket, opts).catch((e: unknown) => {
          throw withContext("could not create bucket", e);
        });
        const st = await store.status();
        s.out.out(o.json ? toJson(st.streamInfo) : renderBucket(st));
      });
    });
}

interface PutFlags {
  name?: string;
  description?: string;
  header?: string[];
  progress: boolean;
  force?: boolean;
  json?: boolean;
}

function registerPut(obj: Command): void {
  obj
    .command("put")
    .description("Puts a file into the store")
    .argument("<bucket>", "The bucket to act on")
    .argument("[file]", "The file to put (stdin when absent, then --name is required)")
    .option("--name <name>", "Override the name supplied to the object store")
    .option("--description <text>", "Sets an optional description for the object")
    .option("-H, --header <key:value>", "Adds headers to the object using K:V format", collectRepeat)
    .option("--no-progress", "Disable progress bars")
    .option("-f, --force", "Act without confirmation")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, file: string | undefined, o: PutFlags, cmd: Command) => {
      const name = o.name ?? file;
      if (name === undefined) throw new CliError("--name is required when reading from stdin");
      if (file !== undefined && !existsSync(file)) throw new CliError(`path '${file}' does not exist`);
      const headers = headersFromFlags(o.header);
      await withSession(cmd, async (s) => {
        const store = await openStore(s, bucket);
        const existing = await store.info(name).catch(() => null);
        if (existing && !existing.deleted) {
          await confirmOrForce(`Replace existing file ${bucket} > ${name}`, o.force);
        }
        const meta = {
          name: normalize(name),
          ...(o.description ? { description: o.description } : {}),
          ...(headers ? { headers } : {}),
        };
        const nfo = await putObject(store, meta, file, o.progress);
        s.out.out(o.json ? toJson(objectJson(nfo)) : `\n${renderObject(nfo)}`);
      });
    });
}

interface GetFlags {
  output?: string;
  progress: boolean;
  force?: boolean;
}

function registerGet(obj: Command): void {
  obj
    .command("get")
    .description("Retrieves a file from the store")
    .argument("<bucket>", "The bucket to act on")
    .argument("<file>", "The file to retrieve")
    .option("-O, --output <file>", "Override the output file name (- for stdout)")
    .option("--no-progress", "Disable progress bars")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, name: string, o: GetFlags, cmd: Command) => {
      const target = o.output === "-" ? "-" : resolve(o.output ?? basename(name));
      if (target !== "-" && existsSync(target)) {
        await confirmOrForce(`Replace existing target file ${target}`, o.force);
      }
      await withSession(cmd, async (s) => {
        const store = await openStore(s, bucket);
        const r = await getObject(store, name, target, o.progress);
        if (target === "-") return;
        const secs = r.elapsedMs / 1000;
        const rate = secs > 2 ? ` average ${formatIBytes(Math.round(r.written / secs))}/s` : "";
        s.out.out(`Wrote: ${formatIBytes(r.written)} to ${target} in ${secs.toFixed(2)}s${rate}\n`);
      });
    });
}

function registerInfoLs(obj: Command): void {
  obj
    .command("info")
    .aliases(["show", "i"])
    .description("Get information about a bucket or object")
    .argument("<bucket>", "The bucket to act on")
    .argument("[file]", "The object to describe")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, name: string | undefined, o: { json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const store = await openStore(s, bucket);
        if (name === undefined) {
          const st = await store.status();
          return s.out.out(o.json ? toJson(st.streamInfo) : renderBucket(st));
        }
        const nfo = await store.info(name);
        if (nfo === null) throw new CliError(`object ${name} not found`);
        s.out.out(o.json ? toJson(objectJson(nfo)) : renderObject(nfo));
      });
    });

  obj
    .command("ls")
    .alias("list")
    .description("List buckets or contents of a specific bucket")
    .argument("[bucket]", "The bucket to list")
    .option("-n, --names", "Show just the names")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string | undefined, o: { names?: boolean; json?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        if (bucket) return listObjects(s, await openStore(s, bucket), o);
        const found: ObjectStoreStatus[] = [];
        for await (const st of new Objm(s.js()).list()) found.push(st);
        found.sort((a, b) => a.size - b.size || a.bucket.localeCompare(b.bucket));
        if (o.json) return s.out.out(toJson(found.map((st) => st.bucket)));
        if (found.length === 0) return s.out.out("No Object Store buckets found\n");
        if (o.names) return s.out.out(found.map((st) => `${st.bucket}\n`).join(""));
        const rows = found.map((st) => [
          st.bucket,
          st.description ?? "",
          formatTime(st.streamInfo.created),
          formatIBytes(st.size),
          formatTime(st.streamInfo.state.last_ts),
        ]);
        s.out.out(
          renderTable(
            "Object Store Buckets",
            ["Bucket", "Description", "Created", "Size", "Last Update"],
            rows,
          ),
        );
      });
    });
}

async function listObjects(
  s: Session,
  store: ObjectStore,
  o: { names?: boolean; json?: boolean },
): Promise<void> {
  const contents = (await store.list()).filter((e) => !e.deleted);
  contents.sort((a, b) => a.name.localeCompare(b.name));
  if (o.json) return s.out.out(toJson(contents.map(objectJson)));
  if (contents.length === 0) return s.out.out("No entries found\n");
  if (o.names) return s.out.out(contents.map((e) => `${e.name}\n`).join(""));
  const rows = contents.map((e) => [e.name, formatIBytes(e.size), new Date(e.mtime).toISOString()]);
  s.out.out(renderTable("Bucket Contents", ["Name", "Size", "Time"], rows));
}

function registerDelSeal(obj: Command): void {
  obj
    .command("del")
    .alias("rm")
    .description("Deletes a file or bucket from the store")
    .argument("<bucket>", "The bucket to act on")
    .argument("[file]", "The file to delete; without it the whole bucket is removed")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, name: string | undefined, o: { force?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const store = await openStore(s, bucket);
        if (name === undefined) {
          await confirmOrForce(`Delete bucket ${bucket} and all its files?`, o.force);
          await store.destroy().catch((e: unknown) => {
            throw withContext(`could not remove bucket ${bucket}`, e);
          });
          return;
        }
        const nfo = await store.info(name);
        if (nfo === null || nfo.deleted) throw new CliError(`object ${name} not found`);
        await confirmOrForce(`Delete ${formatIBytes(nfo.size)} file ${bucket} > ${name}?`, o.force);
        await store.delete(name).catch((e: unknown) => {
          throw withContext(`could not delete ${name}`, e);
        });
        s.out.out(`Removed ${bucket} > ${name}\n${renderBucket(await store.status())}`);
      });
    });

  obj
    .command("seal")
    .description("Seals a bucket preventing further updates")
    .argument("<bucket>", "The bucket to act on")
    .option("-f, --force", "Force sealing without prompting")
    .action(async (bucket: string, o: { force?: boolean }, cmd: Command) => {
      await confirmOrForce(`Really seal Bucket ${bucket}, sealed buckets can not be unsealed`, o.force);
      await withSession(cmd, async (s) => {
        const st = await (await openStore(s, bucket)).seal();
        s.out.out(`${bucket} has been sealed\n${renderBucket(st)}`);
      });
    });
}

export function registerObjectCommands(program: Command): void {
  const obj = program
    .command("object")
    .alias("obj")
    .description("Interacts with a JetStream based Object store");
  registerAdd(obj);
  registerPut(obj);
  registerGet(obj);
  registerInfoLs(obj);
  registerDelSeal(obj);
}
