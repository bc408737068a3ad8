// Kill test for the file store: a child process stores (and removes) messages with syncAlways and
// prints each acknowledged sequence; it is SIGKILLed mid-stream, then every acknowledged write must
// be found on reopening.

import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/storage/file-store.js";

const storageSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/storage");

/** Compiles src/storage to plain ESM in `outDir` so a bare `node` child can run it. */
function buildStorage(outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of fs.readdirSync(storageSrc)) {
    if (!name.endsWith(".ts")) continue;
    const out = ts.transpileModule(fs.readFileSync(path.join(storageSrc, name), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    fs.writeFileSync(path.join(outDir, name.replace(/\.ts$/, ".js")), out.outputText);
  }
}

/** The child: stores forever, removes every 10th message, acknowledging each on stdout. */
const CHILD = `
import { FileStore } from "./storage/file-store.js";
const store = new FileStore({ dir: process.argv[2], syncAlways: true, blockSize: 16 * 1024 });
let n = 0;
function burst() {
  for (let k = 0; k < 20; k++) {
    n++;
    const { seq } = store.store("crash." + (n % 7), null, Buffer.from("payload-" + n));
    process.stdout.write("S " + seq + "\\n");
    if (seq % 10 === 0 && store.remove(seq - 5, false)) process.stdout.write("D " + (seq - 5) + "\\n");
  }
  setImmediate(burst);
}
burst();
`;

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function waitForAcks(
  child: ChildProcess,
  stored: Set<number>,
  removed: Set<number>,
  want: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let partial = "";
    const timer = setTimeout(() => reject(new Error(`only ${stored.size} acks before the timeout`)), 30_000);
    child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const seq = Number(line.slice(2));
        if (line.startsWith("S ")) stored.add(seq);
        else if (line.startsWith("D ")) removed.add(seq);
      }
      if (stored.size >= want) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe("file store under SIGKILL", () => {
  it("keeps every acknowledged store and removal with syncAlways", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "natsgate-crash-"));
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    buildStorage(path.join(root, "storage"));
    fs.writeFileSync(path.join(root, "child.mjs"), CHILD);
    const dir = path.join(root, "stream");

    const child = spawn(process.execPath, [path.join(root, "child.mjs"), dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanup.push(() => child.kill("SIGKILL"));
    const stored = new Set<number>();
    const removed = new Set<number>();
    await waitForAcks(child, stored, removed, 1500);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;

    const store = new FileStore({ dir, blockSize: 16 * 1024 });
    cleanup.push(() => store.close());
    const maxAcked = Math.max(...stored);
    const st = store.state();
    expect(st.lastSeq).toBeGreaterThanOrEqual(maxAcked);
    expect(removed.size).toBeGreaterThan(100);
    for (const seq of stored) {
      const m = store.load(seq);
      // The removal made right after the last store may have happened without its acknowledgement.
      const unackedRemoval = seq % 10 === 5 && seq + 5 >= maxAcked && !removed.has(seq);
      if (removed.has(seq)) {
        expect(m).toBeNull();
      } else if (unackedRemoval && m === null) {
      } else {
        expect(m?.payload.toString()).toBe(`payload-${seq}`);
        expect(m?.subject).toBe(`crash.${seq % 7}`);
      }
    }
    // The store is usable again right after recovery.
    expect(store.store("after", null, Buffer.from("x")).seq).toBe(st.lastSeq + 1);
  }, 60_000);
});
