// Randomised check of both stores against a plain model (a Map): thousands of mixed operations,
// then every query compared; the file store is also reopened midway and at the end.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore } from "../../../src/storage/file-store.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import type { MessageStore } from "../../../src/storage/store.js";
import { subjectMatches } from "../../../src/storage/subject-match.js";

const SUBJECTS = ["a.1", "a.2", "b.1", "c.x.y", "c.z.y"];
const FILTERS = [null, "a.1", "a.*", "*.1", "c.>", "c.*.y", "none"];

/** Small deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Model {
  constructor(readonly maxPerSubject = 0) {}
  msgs = new Map<number, string>();
  lastSeq = 0;
  emptyFirst = 0;
  matches(subject: string, filter: string | null): boolean {
    return filter === null || subjectMatches(subject, filter);
  }
  live(filter: string | null): number[] {
    return [...this.msgs.entries()]
      .filter(([, s]) => this.matches(s, filter))
      .map(([q]) => q)
      .sort((x, y) => x - y);
  }
  firstSeq(): number {
    const all = this.live(null);
    return all.length > 0 ? all[0]! : this.emptyFirst;
  }
  drop(seq: number): void {
    this.msgs.delete(seq);
    if (this.msgs.size === 0) this.emptyFirst = this.lastSeq + 1;
  }
}

function step(r: () => number, store: MessageStore, model: Model): void {
  const pick = r();
  const subject = SUBJECTS[Math.floor(r() * SUBJECTS.length)]!;
  if (pick < 0.6) {
    const { seq } = store.store(subject, null, Buffer.from(`p${model.lastSeq + 1}`));
    model.lastSeq = seq;
    model.msgs.set(seq, subject);
    const same = model.live(subject);
    if (model.maxPerSubject > 0 && same.length > model.maxPerSubject) model.drop(same[0]!);
  } else if (pick < 0.85) {
    const seq = 1 + Math.floor(r() * model.lastSeq);
    expect(store.remove(seq, r() < 0.2)).toBe(model.msgs.has(seq));
    model.drop(seq);
  } else if (pick < 0.95) {
    const filter = FILTERS[1 + Math.floor(r() * (FILTERS.length - 1))]!;
    const keep = r() < 0.5 ? Math.floor(r() * 3) : 0;
    const victims = model.live(filter);
    const n = Math.max(victims.length - keep, 0);
    expect(store.purge({ subject: filter, keep })).toBe(n);
    for (const q of victims.slice(0, n)) model.drop(q);
  } else {
    const target = model.firstSeq() + Math.floor(r() * 6);
    const victims = model.live(null).filter((q) => q < target);
    expect(store.compact(target)).toBe(victims.length);
    for (const q of victims) model.drop(q);
    if (target > model.lastSeq + 1) {
      model.lastSeq = target - 1;
      model.emptyFirst = target;
    }
  }
}

function verify(store: MessageStore, model: Model): void {
  const st = store.state({ deleted: true });
  const all = model.live(null);
  expect(st.msgs).toBe(all.length);
  expect(st.lastSeq).toBe(model.lastSeq);
  expect(st.firstSeq).toBe(model.firstSeq());
  if (all.length > 0) {
    const deleted: number[] = [];
    for (let q = all[0]!; q <= model.lastSeq; q++) if (!model.msgs.has(q)) deleted.push(q);
    expect(st.deleted).toEqual(deleted);
  }
  for (const filter of FILTERS) {
    const seqs = model.live(filter);
    for (const start of [0, 1, Math.floor(model.lastSeq / 2), model.lastSeq]) {
      const from = seqs.filter((q) => q >= start);
      expect(store.numPending(start, filter, false)).toBe(from.length);
      expect(store.loadNextMatching(start, filter)?.seq ?? 0).toBe(from[0] ?? 0);
      const upTo = seqs.filter((q) => q <= start);
      expect(store.loadPrevMatching(start, filter)?.seq ?? 0).toBe(upTo.at(-1) ?? 0);
      expect(store.filteredState(start, filter)).toEqual(
        from.length > 0
          ? { msgs: from.length, first: from[0], last: from.at(-1) }
          : { msgs: 0, first: 0, last: 0 },
      );
      const subjects = new Set(from.map((q) => model.msgs.get(q)));
      const lastPer = new Set(
        [...new Set(seqs.map((q) => model.msgs.get(q)!))].filter((s) => {
          const last = seqs.filter((q) => model.msgs.get(q) === s).at(-1)!;
          return last >= start;
        }),
      );
      expect(store.numPending(start, filter, true)).toBe(lastPer.size);
      expect(subjects.size).toBeLessThanOrEqual(SUBJECTS.length);
    }
    expect(store.loadLastBySubject(filter ?? ">")?.seq ?? 0).toBe(seqs.at(-1) ?? 0);
  }
  for (const q of all.slice(0, 20)) expect(store.load(q)!.subject).toBe(model.msgs.get(q));
}

const dirs: string[] = [];
const opened: MessageStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) {
    try {
      s.close();
    } catch {}
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("stores against a model", () => {
  for (const seed of [1, 2, 3]) {
    it(`memory store matches the model (seed ${seed}${seed === 3 ? ", max 3 per subject" : ""})`, () => {
      const r = rng(seed);
      const maxPer = seed === 3 ? 3 : 0;
      const store = new MemoryStore({ limits: { maxMsgsPerSubject: maxPer } });
      opened.push(store);
      const model = new Model(maxPer);
      for (let i = 0; i < 1500; i++) {
        step(r, store, model);
        if (i % 100 === 99) verify(store, model);
      }
      verify(store, model);
    });

    it(`file store matches the model across reopens (seed ${seed}${seed === 3 ? ", max 3 per subject" : ""})`, () => {
      const r = rng(seed + 100);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "natsgate-model-"));
      dirs.push(dir);
      const maxPer = seed === 3 ? 3 : 0;
      const make = () => {
        const s = new FileStore({ dir, blockSize: 600, limits: { maxMsgsPerSubject: maxPer } });
        opened.push(s);
        return s;
      };
      let store = make();
      const model = new Model(maxPer);
      for (let i = 0; i < 1500; i++) {
        step(r, store, model);
        if (i % 300 === 299) {
          store.close();
          store = make();
          verify(store, model);
        }
      }
      store.close();
      store = make();
      verify(store, model);
    });
  }
});
