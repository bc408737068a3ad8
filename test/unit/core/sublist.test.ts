// The subscription trie and its match cache: wildcard matching, queue grouping, cache coherence, stats, scale.

import { describe, expect, it } from "vitest";
import type { ClientHandle } from "../../../src/core/client.js";
import { subjectMatchesFilter } from "../../../src/core/subject.js";
import {
  EMPTY_RESULT,
  SUBLIST_CACHE_MAX,
  SUBLIST_CACHE_SWEEP,
  Sublist,
  type SublistResult,
} from "../../../src/core/sublist.js";
import { Subscription } from "../../../src/core/subscription.js";

const client: ClientHandle = { cid: 1, kind: "client", echo: true, deliver: () => true };
let nextSid = 0;
function sub(subject: string, queue: string | null = null): Subscription {
  return new Subscription(client, subject, queue, String(++nextSid));
}

/** Sorted sids of a result: plain subs, then each queue group as "queue:sid,sid". */
function describeResult(r: SublistResult): { psubs: string[]; qsubs: string[] } {
  return {
    psubs: r.psubs.map((s) => `${s.subject}#${s.sid}`).sort(),
    qsubs: r.qsubs
      .map(
        (g) =>
          `${g[0]!.queue}:${g
            .map((s) => s.sid)
            .sort()
            .join(",")}`,
      )
      .sort(),
  };
}

function sids(subs: readonly Subscription[]): string[] {
  return subs.map((s) => s.sid).sort();
}

describe("Sublist matching", () => {
  it("matches literal subscriptions exactly", () => {
    const sl = new Sublist();
    const a = sub("foo.bar");
    const b = sub("foo");
    sl.insert(a);
    sl.insert(b);
    expect(sl.match("foo.bar").psubs).toEqual([a]);
    expect(sl.match("foo").psubs).toEqual([b]);
    expect(sl.match("foo.baz")).toBe(EMPTY_RESULT);
    expect(sl.match("foo.bar.baz")).toBe(EMPTY_RESULT);
    expect(sl.count()).toBe(2);
  });

  it("`*` matches exactly one token, `>` one or more", () => {
    const sl = new Sublist();
    const star = sub("foo.*");
    const full = sub("foo.>");
    const starMid = sub("foo.*.baz");
    const root = sub(">");
    const lone = sub("*");
    for (const s of [star, full, starMid, root, lone]) expect(sl.insert(s)).toBe(true);

    expect(sids(sl.match("foo.bar").psubs)).toEqual(sids([star, full, root]));
    expect(sids(sl.match("foo.bar.baz").psubs)).toEqual(sids([full, starMid, root]));
    expect(sids(sl.match("foo.bar.qux").psubs)).toEqual(sids([full, root]));
    expect(sids(sl.match("foo").psubs)).toEqual(sids([root, lone])); // `foo.>` does not match `foo`
    expect(sids(sl.match("bar").psubs)).toEqual(sids([root, lone]));
    expect(sids(sl.match("bar.baz").psubs)).toEqual(sids([root]));
  });

  it("combines literal, `*` and `>` at several levels", () => {
    const sl = new Sublist();
    const subs = [
      "a.b.c",
      "a.*.c",
      "*.b.c",
      "*.*.c",
      "a.b.*",
      "a.>",
      "*.>",
      "*.*.*",
      "a.*.>",
      "a.b.c.>",
      "b.>",
    ].map((s) => sub(s));
    for (const s of subs) sl.insert(s);
    const expectOn = (subject: string) =>
      subs
        .filter((s) => subjectMatchesFilter(subject, s.subject))
        .map((s) => s.sid)
        .sort();
    for (const subject of ["a.b.c", "a.x.c", "x.b.c", "a.b.d", "a.b", "a", "a.b.c.d", "b.b.c", "c.d"]) {
      expect(sids(sl.match(subject).psubs), subject).toEqual(expectOn(subject));
    }
    expect(sids(sl.match("a.b.c").psubs)).toHaveLength(9);
    expect(sids(sl.match("a.b.c.d").psubs)).toHaveLength(4);
  });

  it("treats tokens like `foo*` and `>bar` as literals", () => {
    const sl = new Sublist();
    const a = sub("foo.*bar");
    const b = sub(">bar");
    sl.insert(a);
    sl.insert(b);
    expect(sl.match("foo.xbar")).toBe(EMPTY_RESULT);
    expect(sl.match("foo.*bar").psubs).toEqual([a]);
    expect(sl.match("xbar")).toBe(EMPTY_RESULT);
    expect(sl.match(">bar").psubs).toEqual([b]);
  });

  it("matches nothing for subjects with empty tokens, and does not cache them", () => {
    const sl = new Sublist();
    sl.insert(sub(">"));
    sl.insert(sub("foo.*"));
    for (const s of ["", ".", "foo.", ".foo", "foo..bar"]) {
      expect(sl.match(s)).toBe(EMPTY_RESULT);
      expect(sl.hasInterest(s)).toBe(false);
    }
    expect(sl.cacheCount()).toBe(0);
  });
});

describe("Sublist queue groups", () => {
  it("groups queue subscribers by name across matching nodes, apart from plain subscribers", () => {
    const sl = new Sublist();
    const p1 = sub("foo.bar");
    const q1 = sub("foo.bar", "workers");
    const q2 = sub("foo.*", "workers");
    const q3 = sub("foo.>", "workers");
    const r1 = sub("foo.bar", "readers");
    const r2 = sub(">", "readers");
    const other = sub("foo.baz", "workers");
    for (const s of [p1, q1, q2, q3, r1, r2, other]) sl.insert(s);

    const r = sl.match("foo.bar");
    expect(r.psubs).toEqual([p1]);
    expect(r.qsubs).toHaveLength(2);
    expect(describeResult(r).qsubs).toEqual([
      `readers:${sids([r1, r2]).join(",")}`,
      `workers:${sids([q1, q2, q3]).join(",")}`,
    ]);
    for (const group of r.qsubs) {
      const name = group[0]!.queue;
      expect(group.every((s) => s.queue === name)).toBe(true);
    }
  });

  it("drops a group from results when its last member is removed", () => {
    const sl = new Sublist();
    const q1 = sub("foo", "g1");
    const q2 = sub("foo", "g2");
    sl.insert(q1);
    sl.insert(q2);
    expect(sl.match("foo").qsubs).toHaveLength(2);
    expect(sl.remove(q1)).toBe(true);
    const r = sl.match("foo");
    expect(r.qsubs).toEqual([[q2]]);
    expect(r.psubs).toEqual([]);
  });

  it("keeps plain and queue subscriptions on the same subject separate", () => {
    const sl = new Sublist();
    const p = sub("foo");
    const q = sub("foo", "q");
    sl.insert(p);
    sl.insert(q);
    expect(sl.remove(new Subscription(client, "foo", "q", p.sid))).toBe(false); // not the same object
    expect(sl.remove(p)).toBe(true);
    expect(sl.match("foo")).toEqual({ psubs: [], qsubs: [[q]] });
  });
});

describe("Sublist cache", () => {
  it("returns the same result object on a cache hit and counts hits", () => {
    const sl = new Sublist();
    sl.insert(sub("foo"));
    const first = sl.match("foo");
    for (let i = 0; i < 3; i++) expect(sl.match("foo")).toBe(first);
    expect(sl.cacheCount()).toBe(1);
    const st = sl.stats();
    expect(st.numMatches).toBe(4);
    expect(st.cacheHitRate).toBe(0.75);
  });

  it("caches the empty result too", () => {
    const sl = new Sublist();
    expect(sl.match("nobody")).toBe(EMPTY_RESULT);
    expect(sl.cacheCount()).toBe(1);
    expect(Object.isFrozen(EMPTY_RESULT)).toBe(true);
    expect(Object.isFrozen(EMPTY_RESULT.psubs)).toBe(true);
  });

  it("adds a new literal subscription to a cached result without changing the old one", () => {
    const sl = new Sublist();
    const a = sub("foo");
    sl.insert(a);
    const before = sl.match("foo");
    const b = sub("foo");
    sl.insert(b);
    const after = sl.match("foo");
    expect(after).not.toBe(before);
    expect(sids(after.psubs)).toEqual(sids([a, b]));
    expect(before.psubs).toEqual([a]); // callers holding the old result see a consistent snapshot
    expect(sl.match("foo")).toBe(after); // and the updated entry is a cache hit
  });

  it("adds a new wildcard subscription to every cached subject it matches", () => {
    const sl = new Sublist();
    expect(sl.match("foo.bar")).toBe(EMPTY_RESULT);
    expect(sl.match("foo.baz")).toBe(EMPTY_RESULT);
    expect(sl.match("other")).toBe(EMPTY_RESULT);
    const w = sub("foo.*");
    const q = sub("foo.>", "q");
    sl.insert(w);
    sl.insert(q);
    expect(sl.match("foo.bar")).toEqual({ psubs: [w], qsubs: [[q]] });
    expect(sl.match("foo.baz")).toEqual({ psubs: [w], qsubs: [[q]] });
    expect(sl.match("other")).toBe(EMPTY_RESULT);
    expect(sl.stats().cacheHitRate).toBeCloseTo(3 / 6);
  });

  it("drops a removed subscription from cached results (literal and wildcard)", () => {
    const sl = new Sublist();
    const lit = sub("foo.bar");
    const wc = sub("foo.*");
    const fwc = sub(">", "q");
    for (const s of [lit, wc, fwc]) sl.insert(s);
    expect(sl.match("foo.bar")).toEqual({ psubs: expect.arrayContaining([lit, wc]), qsubs: [[fwc]] });
    expect(sl.match("foo.baz")).toEqual({ psubs: [wc], qsubs: [[fwc]] });

    expect(sl.remove(lit)).toBe(true);
    expect(sl.match("foo.bar")).toEqual({ psubs: [wc], qsubs: [[fwc]] });
    expect(sl.remove(wc)).toBe(true);
    expect(sl.match("foo.bar")).toEqual({ psubs: [], qsubs: [[fwc]] });
    expect(sl.match("foo.baz")).toEqual({ psubs: [], qsubs: [[fwc]] });
    expect(sl.remove(fwc)).toBe(true);
    expect(sl.match("foo.bar")).toBe(EMPTY_RESULT);
    expect(sl.match("foo.baz")).toBe(EMPTY_RESULT);
  });

  it("stays bounded: past the maximum it sweeps the oldest entries down to the sweep size", () => {
    const sl = new Sublist();
    const s = sub("load.*");
    sl.insert(s);
    const results: SublistResult[] = [];
    let maxSeen = 0;
    for (let i = 0; i < 5000; i++) {
      const r = sl.match(`load.${i}`);
      expect(r.psubs).toEqual([s]);
      results.push(r);
      maxSeen = Math.max(maxSeen, sl.cacheCount());
    }
    expect(maxSeen).toBe(SUBLIST_CACHE_MAX);
    expect(sl.cacheCount()).toBeGreaterThanOrEqual(SUBLIST_CACHE_SWEEP);
    expect(sl.match("load.4999")).toBe(results[4999]); // newest kept
    expect(sl.match("load.0")).not.toBe(results[0]); // oldest swept, rebuilt
  });

  it("can run without a cache", () => {
    const sl = new Sublist({ cache: false });
    const a = sub("foo.*");
    sl.insert(a);
    expect(sl.match("foo.bar").psubs).toEqual([a]);
    expect(sl.match("foo.bar").psubs).toEqual([a]);
    expect(sl.cacheCount()).toBe(0);
    expect(sl.stats().cacheHitRate).toBe(0);
  });

  it("stays coherent with the trie under random inserts, removes and matches", () => {
    // Deterministic pseudo-random sequence so a failure reproduces.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const tokens = ["a", "b", "c", "*", ">"];
    const literals = ["a", "b", "c"];
    const sl = new Sublist();
    const live: Subscription[] = [];
    for (let step = 0; step < 4000; step++) {
      const op = rand(10);
      if (op < 3 || live.length === 0) {
        const n = 1 + rand(3);
        const parts: string[] = [];
        for (let i = 0; i < n; i++) parts.push(tokens[rand(i === n - 1 ? 5 : 4)]!);
        const s = sub(parts.join("."), rand(3) === 0 ? `q${rand(2)}` : null);
        expect(sl.insert(s)).toBe(true);
        live.push(s);
      } else if (op < 5) {
        const s = live.splice(rand(live.length), 1)[0]!;
        expect(sl.remove(s)).toBe(true);
      } else {
        const n = 1 + rand(4);
        const parts: string[] = [];
        for (let i = 0; i < n; i++) parts.push(literals[rand(3)]!);
        const subject = parts.join(".");
        const expected = live.filter((s) => subjectMatchesFilter(subject, s.subject));
        const r = sl.match(subject);
        const got = [...r.psubs, ...r.qsubs.flat()];
        expect(sids(got), `step ${step} ${subject}`).toEqual(sids(expected));
        expect(sl.hasInterest(subject)).toBe(expected.length > 0);
      }
    }
    expect(sl.count()).toBe(live.length);
    expect(sl.stats().cacheHitRate).toBeGreaterThan(0);
  });
});

describe("Sublist insert and remove", () => {
  it("rejects subjects with empty tokens or tokens after `>`, leaving nothing behind", () => {
    const sl = new Sublist();
    for (const bad of ["", ".", ".foo", "foo.", "foo..bar", "foo.>.bar", ">.bar", "foo.>.>"]) {
      expect(sl.insert(sub(bad)), bad).toBe(false);
    }
    expect(sl.count()).toBe(0);
    expect(sl.all()).toEqual([]);
    expect(sl.stats().numInserts).toBe(0);
    expect(sl.generation).toBe(0);
    // Like nats-server's Insert, whitespace is not checked here (the parser never lets it through).
    expect(sl.insert(sub("foo bar"))).toBe(true);
  });

  it("ignores a second insert of the same subscription", () => {
    const sl = new Sublist();
    const a = sub("foo");
    expect(sl.insert(a)).toBe(true);
    expect(sl.insert(a)).toBe(true);
    expect(sl.count()).toBe(1);
    expect(sl.match("foo").psubs).toEqual([a]);
    expect(sl.remove(a)).toBe(true);
    expect(sl.match("foo")).toBe(EMPTY_RESULT);
  });

  it("returns false for unknown subscriptions and changes nothing", () => {
    const sl = new Sublist();
    const a = sub("foo.bar");
    sl.insert(a);
    const cached = sl.match("foo.bar");
    const gen = sl.generation;
    for (const s of [
      sub("foo.bar"),
      sub("foo"),
      sub("foo.bar.baz"),
      sub("foo.*"),
      sub("foo.bar", "q"),
      sub("x..y"),
    ]) {
      expect(sl.remove(s)).toBe(false);
    }
    expect(sl.count()).toBe(1);
    expect(sl.stats().numRemoves).toBe(0);
    expect(sl.generation).toBe(gen);
    expect(sl.match("foo.bar")).toBe(cached);
    expect(sl.remove(a)).toBe(true);
    expect(sl.remove(a)).toBe(false);
    expect(sl.count()).toBe(0);
  });

  it("prunes the trie: interior subscriptions survive removal of deeper ones and vice versa", () => {
    const sl = new Sublist();
    const top = sub("a");
    const deep = sub("a.b.c");
    sl.insert(top);
    sl.insert(deep);
    expect(sl.remove(top)).toBe(true);
    expect(sl.match("a.b.c").psubs).toEqual([deep]);
    expect(sl.match("a")).toBe(EMPTY_RESULT);
    sl.insert(top);
    expect(sl.remove(deep)).toBe(true);
    expect(sl.match("a").psubs).toEqual([top]);
    expect(sl.remove(top)).toBe(true);
    const seen: string[] = [];
    sl.forEachInterest((subject) => seen.push(subject));
    expect(seen).toEqual([]);
    expect(sl.hasInterest("a")).toBe(false);
  });

  it("bumps the generation on each insert and remove", () => {
    const sl = new Sublist();
    const a = sub("foo");
    sl.insert(a);
    expect(sl.generation).toBe(1);
    sl.insert(sub("bar.*"));
    expect(sl.generation).toBe(2);
    sl.remove(a);
    expect(sl.generation).toBe(3);
  });

  it("removeBatch removes known subscriptions and drops the cache once", () => {
    const sl = new Sublist();
    const subs = [sub("a"), sub("a.*"), sub("b", "q"), sub(">")];
    for (const s of subs) sl.insert(s);
    sl.match("a");
    sl.match("a.x");
    expect(sl.cacheCount()).toBe(2);
    expect(sl.removeBatch([subs[0]!, subs[1]!, sub("never")])).toBe(2);
    expect(sl.cacheCount()).toBe(0);
    expect(sl.count()).toBe(2);
    expect(sl.match("a").psubs).toEqual([subs[3]]);
    expect(sl.match("b")).toEqual({ psubs: [subs[3]], qsubs: [[subs[2]]] });
  });
});

describe("Sublist interest and enumeration", () => {
  it("hasInterest agrees with match, cached or not", () => {
    const sl = new Sublist();
    sl.insert(sub("foo.*", "q"));
    expect(sl.hasInterest("foo.bar")).toBe(true);
    expect(sl.hasInterest("foo")).toBe(false);
    expect(sl.hasInterest("foo.bar.baz")).toBe(false);
    sl.match("foo.bar");
    sl.match("foo");
    expect(sl.hasInterest("foo.bar")).toBe(true);
    expect(sl.hasInterest("foo")).toBe(false);
  });

  it("forEach and all visit every subscription once", () => {
    const sl = new Sublist();
    const subs = [sub("a"), sub("a"), sub("a.b"), sub("*.b", "q"), sub("*.b", "q"), sub(">", "r")];
    for (const s of subs) sl.insert(s);
    expect(sids(sl.all())).toEqual(sids(subs));
    const visited: Subscription[] = [];
    sl.forEach((s) => {
      visited.push(s);
    });
    expect(sids(visited)).toEqual(sids(subs));
  });

  it("forEachInterest lists distinct subjects and queue groups with counts", () => {
    const sl = new Sublist();
    for (const s of [
      sub("a"),
      sub("a"),
      sub("a.b"),
      sub("*.b", "q"),
      sub("*.b", "q"),
      sub("*.b", "r"),
      sub(">"),
    ]) {
      sl.insert(s);
    }
    const seen: string[] = [];
    sl.forEachInterest((subject, queue, count) => seen.push(`${subject}|${queue ?? ""}|${count}`));
    expect(seen.sort()).toEqual(["*.b|q|2", "*.b|r|1", ">||1", "a.b||1", "a||2"]);
  });

  it("reports each interest change with the new count", () => {
    const events: string[] = [];
    const sl = new Sublist({ onInterestChange: (s, q, n) => events.push(`${s}|${q ?? ""}|${n}`) });
    const a1 = sub("foo");
    const a2 = sub("foo");
    const q1 = sub("foo.*", "g");
    sl.insert(a1);
    sl.insert(a2);
    sl.insert(q1);
    sl.insert(a1); // duplicate: no event
    sl.remove(a1);
    sl.remove(sub("foo")); // unknown: no event
    sl.removeBatch([a2, q1]);
    expect(events).toEqual(["foo||1", "foo||2", "foo.*|g|1", "foo||1", "foo||0", "foo.*|g|0"]);
  });

  it("lets the interest listener see the updated index, also during removeBatch", () => {
    const seen: string[] = [];
    let sl: Sublist;
    const listener = (subject: string, _queue: string | null, count: number) => {
      const r = sl.match(subject);
      seen.push(`${count}:${r.psubs.length}:${sl.hasInterest(subject)}`);
    };
    sl = new Sublist({ onInterestChange: listener });
    const a = sub("foo");
    const b = sub("foo");
    const c = sub("foo");
    sl.insert(a);
    sl.insert(b);
    sl.insert(c);
    sl.remove(a);
    sl.removeBatch([b, c]);
    expect(seen).toEqual(["1:1:true", "2:2:true", "3:3:true", "2:2:true", "1:1:true", "0:0:false"]);
    // Caching is back on after the batch.
    sl.match("foo");
    expect(sl.cacheCount()).toBe(1);
  });

  it("reports the /subsz statistics", () => {
    const sl = new Sublist();
    const subs = [sub("foo"), sub("foo"), sub("foo.*"), sub("foo.*", "q"), sub("foo.*", "q")];
    for (const s of subs) sl.insert(s);
    sl.remove(subs[0]!);
    sl.match("foo"); // fanout 1
    sl.match("foo.bar"); // fanout 2: one plain sub plus one queue group
    sl.match("foo.bar");
    sl.match("nothing"); // fanout 0
    expect(sl.stats()).toEqual({
      numSubs: 4,
      numCache: 3,
      numInserts: 5,
      numRemoves: 1,
      numMatches: 4,
      cacheHitRate: 0.25,
      maxFanout: 2,
      avgFanout: 1,
    });
  });
});

describe("Sublist at scale", () => {
  it("inserts, matches and removes 100k subscriptions quickly", () => {
    const sl = new Sublist();
    const n = 100_000;
    const subs: Subscription[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const subject = `svc.${i % 100}.${Math.floor(i / 100) % 100}.${i}`;
      subs[i] = new Subscription(client, i % 10 === 0 ? `svc.${i % 100}.*.${i}` : subject, null, String(i));
    }
    const wide = sub("svc.>", "all");
    const started = performance.now();
    for (const s of subs) sl.insert(s);
    sl.insert(wide);
    expect(sl.count()).toBe(n + 1);
    for (let i = 0; i < n; i++) {
      const r = sl.match(`svc.${i % 100}.${Math.floor(i / 100) % 100}.${i}`);
      if (r.psubs.length !== 1 || r.psubs[0] !== subs[i] || r.qsubs[0]![0] !== wide) {
        throw new Error(`wrong match for subscription ${i}`);
      }
    }
    for (const s of subs) {
      if (!sl.remove(s)) throw new Error(`remove failed for ${s.subject}`);
    }
    const elapsed = performance.now() - started;
    expect(sl.count()).toBe(1);
    expect(sl.match("svc.1.2.3")).toEqual({ psubs: [], qsubs: [[wide]] });
    expect(sl.all()).toEqual([wide]);
    // A sanity bound, not a benchmark: about 0.6 s on an idle machine, generous for a loaded CI runner.
    expect(elapsed).toBeLessThan(5000);
  });

  it("handles 100k subscribers on one subject", () => {
    const sl = new Sublist();
    const subs: Subscription[] = [];
    for (let i = 0; i < 100_000; i++)
      subs.push(new Subscription(client, "hot", i % 2 ? "q" : null, String(i)));
    const started = performance.now();
    for (const s of subs) sl.insert(s);
    const r = sl.match("hot");
    expect(r.psubs).toHaveLength(50_000);
    expect(r.qsubs).toHaveLength(1);
    expect(r.qsubs[0]).toHaveLength(50_000);
    expect(sl.match("hot")).toBe(r);
    expect(sl.removeBatch(subs)).toBe(100_000);
    expect(sl.match("hot")).toBe(EMPTY_RESULT);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
