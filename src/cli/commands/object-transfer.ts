// Streams files into and out of an object store bucket with a byte progress bar (terminal only), checking
// that what was written matches the object's recorded size.

import { createReadStream, createWriteStream, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ObjectInfo, ObjectStore, ObjectStoreMeta } from "@nats-io/obj";
import { formatIBytes } from "./byte-size.js";
import { CliError, withContext } from "./cli-error.js";
import { createProgress, type Progress } from "./progress-bar.js";

// The nats CLI shows a bar only for objects above 20 KiB; smaller transfers finish before it would draw.
const PROGRESS_MIN_BYTES = 20480;

function counter(progress: Progress): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.add(chunk.length);
      cb(null, chunk);
    },
  });
}

/** Puts `file` (or stdin when undefined) under `meta.name`; returns the stored object's info. */
export async function putObject(
  store: ObjectStore,
  meta: ObjectStoreMeta,
  file: string | undefined,
  showProgress: boolean,
): Promise<ObjectInfo> {
  let source: Readable;
  let size = 0;
  if (file === undefined) {
    source = process.stdin;
  } else {
    try {
      size = statSync(file).size;
    } catch (err) {
      throw withContext(`could not read ${file}`, err);
    }
    source = createReadStream(file);
  }
  const progress = createProgress("Put", size, "bytes", showProgress && size > PROGRESS_MIN_BYTES);
  const counted = source.pipe(counter(progress));
  source.on("error", (err) => counted.destroy(err));
  const web = Readable.toWeb(counted) as unknown as ReadableStream<Uint8Array>;
  try {
    return await store.put(meta, web);
  } catch (err) {
    throw withContext(`could not put ${meta.name}`, err);
  } finally {
    progress.done();
  }
}

/** Writes the object `name` to `target` (a path, or `-` for stdout); returns bytes written and elapsed ms. */
export async function getObject(
  store: ObjectStore,
  name: string,
  target: string,
  showProgress: boolean,
): Promise<{ info: ObjectInfo; written: number; elapsedMs: number }> {
  const start = performance.now();
  const res = await store.get(name).catch((err: unknown) => {
    throw withContext(`could not get ${name}`, err);
  });
  if (res === null) {
    // The client hides deleted objects from get(); info() still shows the tombstone.
    const nfo = await store.info(name).catch(() => null);
    throw new CliError(nfo?.deleted ? "file has been deleted" : `object ${name} not found`);
  }
  if (res.info.deleted) throw new CliError("file has been deleted");
  const toStdout = target === "-";
  const progress = createProgress(
    "Get",
    res.info.size,
    "bytes",
    showProgress && !toStdout && res.info.size > PROGRESS_MIN_BYTES,
  );
  let written = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      progress.add(chunk.length);
      cb(null, chunk);
    },
  });
  const source = Readable.fromWeb(res.data as unknown as WebReadableStream<Uint8Array>);
  try {
    if (toStdout) {
      // Not piped into process.stdout with pipeline(): that would end stdout for the rest of the command.
      for await (const chunk of source.pipe(count)) process.stdout.write(chunk as Buffer);
    } else {
      await pipeline(source, count, createWriteStream(target));
    }
    const streamErr = await res.error;
    if (streamErr) throw streamErr;
  } catch (err) {
    if (!toStdout) await rm(target, { force: true });
    throw withContext(`could not get ${name}`, err);
  } finally {
    progress.done();
  }
  if (written !== res.info.size) {
    if (!toStdout) await rm(target, { force: true });
    throw new CliError(`wrote ${formatIBytes(written)}, expected ${formatIBytes(res.info.size)}`);
  }
  return { info: res.info, written, elapsedMs: performance.now() - start };
}
