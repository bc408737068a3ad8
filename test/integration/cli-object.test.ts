// `natsgate object ...` run as real processes against natsgate and nats-server 2.9.10: a multi-MB file goes in
// from disk and comes back byte for byte; info shows size and digest; ls and rm; no progress noise off a TTY.

import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, jetStreamTargets, type Target } from "./cli-support.js";

beforeAll(() => ensureBuilt(), 120_000);

describe.each(jetStreamTargets())("natsgate object commands against %s", (_name, start) => {
  let target: Target;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dir: string;
  const run = (...args: string[]) => cli(target.url, args);

  beforeAll(async () => {
    target = await start();
    nc = await connect({ servers: target.url.replace("nats://", ""), reconnect: false });
    jsm = await jetstreamManager(nc);
    dir = mkdtempSync(join(tmpdir(), "natsgate-cli-obj-"));
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await target?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("add creates the OBJ_ stream with the given limits", async () => {
    const r = await run("object", "add", "FILES", "--max-bucket-size", "64MB", "--description", "cli files");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Information for Object Store Bucket FILES created");
    expect(r.stdout).toMatch(/ Maximum Bucket Size: 64 MiB\n/);
    const cfg = (await jsm.streams.info("OBJ_FILES")).config;
    expect(cfg).toMatchObject({
      subjects: ["$O.FILES.C.>", "$O.FILES.M.>"],
      max_bytes: 64 * 1024 * 1024,
      description: "cli files",
      storage: "file",
      allow_rollup_hdrs: true,
      discard: "new",
    });
  });

  it("put a multi-MB file from disk, info shows size and digest, get returns the same bytes", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    const src = join(dir, "payload.bin");
    writeFileSync(src, data);
    const put = await run("object", "put", "FILES", src, "--name", "payload.bin", "-H", "X-Kind:test");
    // Not a terminal: no progress bar, nothing on stderr.
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/Object information for FILES > payload\.bin\n/);
    expect(put.stdout).toMatch(/ Size: 3\.0 MiB\n/);

    const sha = createHash("sha256").update(data).digest("hex");
    const info = await run("object", "info", "FILES", "payload.bin");
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(`Digest: SHA-256 ${sha}\n`);
    expect(info.stdout).toMatch(/Chunks: 25\n/);
    expect(info.stdout).toContain("Headers: X-Kind: test\n");
    const json = JSON.parse((await run("object", "info", "FILES", "payload.bin", "--json")).stdout) as {
      size: number;
      digest: string;
    };
    expect(json.size).toBe(data.length);
    // The padded base64url form the object store metadata carries.
    const b64 = createHash("sha256").update(data).digest("base64").replace(/\+/g, "-").replace(/\//g, "_");
    expect(json.digest).toBe(`SHA-256=${b64}`);

    const out = join(dir, "copy.bin");
    const get = await run("object", "get", "FILES", "payload.bin", "-O", out);
    expect(get.stderr).toBe("");
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^Wrote: 3\.0 MiB to .*copy\.bin in [\d.]+s/);
    expect(readFileSync(out).equals(data)).toBe(true);

    // An existing target is not overwritten without --force when there is no terminal to ask.
    const again = await run("object", "get", "FILES", "payload.bin", "-O", out);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Replace existing target file .*: use --force/);
  }, 60_000);

  it("ls lists buckets and contents; rm deletes an object and then the bucket", async () => {
    writeFileSync(join(dir, "small.txt"), "hello object store\n");
    expect((await run("object", "put", "FILES", join(dir, "small.txt"), "--name", "small.txt")).code).toBe(0);
    expect((await run("object", "ls", "--names")).stdout).toBe("FILES\n");
    expect((await run("object", "ls", "FILES", "--names")).stdout).toBe("payload.bin\nsmall.txt\n");
    const table = await run("object", "ls", "FILES");
    expect(table.stdout).toMatch(/│ small\.txt +│ 19 B +│ \d{4}-\d\d-\d\dT/);
    expect((await run("object", "get", "FILES", "small.txt", "-O", "-")).stdout).toBe("hello object store\n");

    const noForce = await run("object", "rm", "FILES", "small.txt");
    expect(noForce.code).toBe(1);
    const rm = await run("object", "rm", "FILES", "small.txt", "-f");
    expect(rm.code).toBe(0);
    expect(rm.stdout).toMatch(/^Removed FILES > small\.txt\n/);
    expect((await run("object", "ls", "FILES", "--names")).stdout).toBe("payload.bin\n");
    const gone = await run("object", "get", "FILES", "small.txt", "-O", join(dir, "x"));
    expect(gone).toMatchObject({ code: 1, stderr: "natsgate: error: file has been deleted\n" });

    expect((await run("object", "rm", "FILES", "-f")).code).toBe(0);
    await expect(jsm.streams.info("OBJ_FILES")).rejects.toThrow(/stream not found/);
    expect((await run("object", "ls")).stdout).toBe("No Object Store buckets found\n");
  }, 60_000);

  it("an unknown bucket is a one-line error with exit 1", async () => {
    const r = await run("object", "info", "NOPE");
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/^natsgate: error: could not open bucket NOPE: object store not found\n$/);
  });
});
