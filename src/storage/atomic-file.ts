// Crash-safe small-file writes for store metadata: write a temp file, fsync it, rename it over the
// target, fsync the directory. A reader sees the old or the new content, never a mix.

import * as fs from "node:fs";
import * as path from "node:path";

/** fsyncs a directory so created, renamed or removed entries in it survive a crash. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (err) {
    // Some platforms (Windows) cannot fsync a directory; the rename itself is still atomic.
    if ((err as NodeJS.ErrnoException).code !== "EISDIR" && (err as NodeJS.ErrnoException).code !== "EPERM") {
      throw err;
    }
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export function writeFileAtomicSync(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
