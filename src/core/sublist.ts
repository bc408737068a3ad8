// The subscription index of one account: a token trie with a bounded match cache (nats-server server/sublist.go),
// answering "who receives a message published on this subject" in one Map lookup when cached.

import { subjectHasWildcard, subjectMatchesFilter } from "./subject.js";
import {
  findQueueSlot,
  forEachSubNode,
  levelHasInterest,
  matchLevel,
  QueueMembers,
  type ResultBuilder,
  SublistLevel,
  type SublistNode,
} from "./sublist-trie.js";
import type { Subscription } from "./subscription.js";

/**
 * Who a subject reaches: plain subscribers, and one array per queue group (deliver to one member of each).
 * Results are shared through the cache and never change once returned: callers MUST NOT mutate them.
 */
export interface SublistResult {
  readonly psubs: readonly Subscription[];
  readonly qsubs: readonly (readonly Subscription[])[];
}

/** The result for a subject nobody listens on. */
export const EMPTY_RESULT: SublistResult = Object.freeze({
  psubs: Object.freeze([]) as readonly Subscription[],
  qsubs: Object.freeze([]) as readonly (readonly Subscription[])[],
});

/** The /subsz numbers of nats-server (SublistStats). */
export interface SublistStats {
  numSubs: number;
  numCache: number;
  numInserts: number;
  numRemoves: number;
  numMatches: number;
  cacheHitRate: number;
  maxFanout: number;
  avgFanout: number;
}

/** Called with the new number of subscriptions on (subject, queue) after it changes (0 = interest gone). */
export type InterestListener = (
  subject: string,
  queue: string | null,
  count: number,
  /** The subscription whose insert or removal caused the change (absent from forEachInterest). */
  sub?: Subscription,
) => void;

export interface SublistOptions {
  /** Cache match results (default true). nats-server allows turning it off for very high interest churn. */
  cache?: boolean;
  /** Told of every interest change, for propagating interest to routes and leaf nodes. */
  onInterestChange?: InterestListener;
}

/** nats-server slCacheMax / slCacheSweep: past the max, drop the oldest entries down to the sweep size. */
export const SUBLIST_CACHE_MAX = 1024;
export const SUBLIST_CACHE_SWEEP = 512;

export class Sublist {
  private readonly root = new SublistLevel();
  /** Cached results by literal subject; insertion order makes the sweep drop the oldest first. */
  private readonly cache = new Map<string, SublistResult>();
  /** Off when configured so, and while removeBatch runs (nats-server sets the cache aside the same way). */
  private cacheEnabled: boolean;
  private readonly onInterestChange: InterestListener | undefined;
  private subCount = 0;
  private inserts = 0;
  private removes = 0;
  private matches = 0;
  private cacheHits = 0;
  private genid = 0;

  constructor(options: SublistOptions = {}) {
    this.cacheEnabled = options.cache ?? true;
    this.onInterestChange = options.onInterestChange;
  }

  /**
   * Bumped on every insert and remove, so a caller keeping its own cache of results (as nats-server's
   * per-connection cache does) can tell that it is stale.
   */
  get generation(): number {
    return this.genid;
  }

  /**
   * Adds a subscription. Returns false, changing nothing, when the subject has an empty token or a token
   * after `>` (nats-server Insert's ErrInvalidSubject; the NATS edge answers `-ERR 'Invalid Subject'`).
   * Like nats-server it does not check for whitespace. Inserting a subscription already present is a no-op.
   */
  insert(sub: Subscription): boolean {
    const tokens = sub.subject.split(".");
    if (!validSubTokens(tokens)) return false;
    let level = this.root;
    let node: SublistNode | null = null;
    for (let i = 0; i < tokens.length; i++) {
      node = level.childOrCreate(tokens[i]!);
      if (i + 1 < tokens.length) {
        if (node.next === null) node.next = new SublistLevel();
        level = node.next;
      }
    }
    const count = addToNode(node!, sub);
    if (count === 0) return true;
    this.subCount++;
    this.inserts++;
    this.genid++;
    this.addToCache(sub);
    this.onInterestChange?.(sub.subject, sub.queue, count, sub);
    return true;
  }

  /** Removes a subscription; false when it was not in the list. */
  remove(sub: Subscription): boolean {
    const left = this.removeFromTrie(sub);
    if (left < 0) return false;
    this.removeFromCache(sub.subject);
    this.onInterestChange?.(sub.subject, sub.queue, left, sub);
    return true;
  }

  /**
   * Removes many subscriptions (a closing connection): the cache is dropped once instead of being
   * searched per subscription, as nats-server RemoveBatch does. Returns how many were removed.
   */
  removeBatch(subs: Iterable<Subscription>): number {
    const wasEnabled = this.cacheEnabled;
    // With caching off, an interest listener that matches mid-batch sees the trie as it is, not stale entries.
    this.cache.clear();
    this.cacheEnabled = false;
    let removed = 0;
    try {
      for (const sub of subs) {
        const left = this.removeFromTrie(sub);
        if (left < 0) continue;
        removed++;
        this.onInterestChange?.(sub.subject, sub.queue, left, sub);
      }
    } finally {
      this.cacheEnabled = wasEnabled;
    }
    return removed;
  }

  /**
   * Subscriptions matching a literal subject. A cache hit is one Map lookup; a miss splits the subject once
   * and walks the trie. Subjects with empty tokens match nothing (and are not cached).
   */
  match(subject: string): SublistResult {
    this.matches++;
    const cached = this.cache.get(subject);
    if (cached !== undefined) {
      this.cacheHits++;
      return cached;
    }
    const tokens = subject.split(".");
    if (hasEmptyToken(tokens)) return EMPTY_RESULT;
    const builder: ResultBuilder = { psubs: [], qsubs: [] };
    matchLevel(this.root, tokens, 0, builder);
    const result = builder.psubs.length === 0 && builder.qsubs.length === 0 ? EMPTY_RESULT : builder;
    if (this.cacheEnabled) {
      this.cache.set(subject, result);
      if (this.cache.size > SUBLIST_CACHE_MAX) this.sweepCache();
    }
    return result;
  }

  /** Whether any subscription matches the literal subject, without building a result. */
  hasInterest(subject: string): boolean {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached !== EMPTY_RESULT;
    const tokens = subject.split(".");
    if (hasEmptyToken(tokens)) return false;
    return levelHasInterest(this.root, tokens, 0);
  }

  /** Number of subscriptions held. */
  count(): number {
    return this.subCount;
  }

  /** Number of cached results. */
  cacheCount(): number {
    return this.cache.size;
  }

  /** Visits every subscription (order unspecified). `fn` must not insert or remove. */
  forEach(fn: (sub: Subscription) => void): void {
    forEachSubNode(this.root, (node) => {
      if (node.psubs !== null) for (const sub of node.psubs) fn(sub);
      if (node.qsubs !== null) for (const group of node.qsubs.values()) for (const sub of group.subs) fn(sub);
    });
  }

  /** Every subscription, as a new array. */
  all(): Subscription[] {
    const out: Subscription[] = [];
    this.forEach((sub) => {
      out.push(sub);
    });
    return out;
  }

  /**
   * Distinct interest: one call per subject with plain subscribers (queue null) and per (subject, queue group),
   * with the number of subscriptions. What a route or leaf connection sends as RS+/LS+ (queue count = weight).
   */
  forEachInterest(fn: InterestListener): void {
    forEachSubNode(this.root, (node) => {
      if (node.psubs !== null) fn(node.subject, null, node.psubs.size);
      if (node.qsubs !== null)
        for (const group of node.qsubs.values()) fn(node.subject, group.name, group.subs.size);
    });
  }

  /** nats-server Sublist.Stats: fanout figures come from the cached results. */
  stats(): SublistStats {
    let total = 0;
    let max = 0;
    for (const r of this.cache.values()) {
      const fanout = r.psubs.length + r.qsubs.length;
      total += fanout;
      if (fanout > max) max = fanout;
    }
    const numCache = this.cache.size;
    return {
      numSubs: this.subCount,
      numCache,
      numInserts: this.inserts,
      numRemoves: this.removes,
      numMatches: this.matches,
      cacheHitRate: this.matches > 0 ? this.cacheHits / this.matches : 0,
      maxFanout: max,
      avgFanout: total > 0 ? total / numCache : 0,
    };
  }

  /** Returns the subs left on (subject, queue), or -1 when `sub` was not there. */
  private removeFromTrie(sub: Subscription): number {
    const tokens = sub.subject.split(".");
    if (!validSubTokens(tokens)) return -1;
    const left = removeAt(this.root, tokens, 0, sub);
    if (left < 0) return -1;
    this.subCount--;
    this.removes++;
    this.genid++;
    return left;
  }

  /**
   * Keeps cached results current after an insert without walking the trie again: affected entries are
   * replaced by copies with the new subscription (copy-on-write, since callers may hold the old ones).
   */
  private addToCache(sub: Subscription): void {
    if (this.cache.size === 0) return;
    const subject = sub.subject;
    if (!subjectHasWildcard(subject)) {
      const r = this.cache.get(subject);
      if (r !== undefined) this.cache.set(subject, resultWith(r, sub));
      return;
    }
    // At most SUBLIST_CACHE_MAX entries, so this scan is bounded; the prefix test rejects most keys cheaply.
    const prefix = literalPrefix(subject);
    for (const [key, r] of this.cache) {
      if (key.startsWith(prefix) && subjectMatchesFilter(key, subject))
        this.cache.set(key, resultWith(r, sub));
    }
  }

  /** Drops the cached results the removed subscription was part of; they are rebuilt on the next match. */
  private removeFromCache(subject: string): void {
    if (this.cache.size === 0) return;
    if (!subjectHasWildcard(subject)) {
      this.cache.delete(subject);
      return;
    }
    const prefix = literalPrefix(subject);
    for (const key of this.cache.keys()) {
      if (key.startsWith(prefix) && subjectMatchesFilter(key, subject)) this.cache.delete(key);
    }
  }

  private sweepCache(): void {
    for (const key of this.cache.keys()) {
      if (this.cache.size <= SUBLIST_CACHE_SWEEP) return;
      this.cache.delete(key);
    }
  }
}

/** The part of a wildcard subject before its first wildcard token (`a.b.*.c` → `a.b.`); every match starts so. */
function literalPrefix(subject: string): string {
  let start = 0;
  for (;;) {
    let end = subject.indexOf(".", start);
    if (end < 0) end = subject.length;
    if (end - start === 1) {
      const c = subject.charCodeAt(start);
      if (c === 42 || c === 62) return subject.slice(0, start); // `*` or `>`
    }
    if (end === subject.length) return subject;
    start = end + 1;
  }
}

/** Insert's rule: no empty token, nothing after `>`. */
function validSubTokens(tokens: readonly string[]): boolean {
  const last = tokens.length - 1;
  for (let i = 0; i <= last; i++) {
    const t = tokens[i]!;
    if (t === "" || (t === ">" && i < last)) return false;
  }
  return true;
}

function hasEmptyToken(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === "") return true;
  }
  return false;
}

/** Returns the new count of subs on (subject, queue) at the node, or 0 if `sub` was already there. */
function addToNode(node: SublistNode, sub: Subscription): number {
  node.subject = sub.subject;
  if (sub.queue === null) {
    if (node.psubs === null) node.psubs = new Set();
    if (node.psubs.has(sub)) return 0;
    node.psubs.add(sub);
    return node.psubs.size;
  }
  if (node.qsubs === null) node.qsubs = new Map();
  let group = node.qsubs.get(sub.queue);
  if (group === undefined) {
    group = new QueueMembers(sub.queue);
    node.qsubs.set(sub.queue, group);
  }
  if (group.subs.has(sub)) return 0;
  group.subs.add(sub);
  return group.subs.size;
}

/**
 * Removes `sub` below `level`, pruning nodes left empty on the way back up. Returns the remaining count of
 * subs on (subject, queue), or -1 when `sub` was not found.
 */
function removeAt(level: SublistLevel, tokens: readonly string[], i: number, sub: Subscription): number {
  const token = tokens[i]!;
  const node = level.child(token);
  if (node === null) return -1;
  let left: number;
  if (i + 1 === tokens.length) {
    left = removeFromNode(node, sub);
  } else {
    if (node.next === null) return -1;
    left = removeAt(node.next, tokens, i + 1, sub);
    if (left >= 0 && node.next.isEmpty()) node.next = null;
  }
  if (left >= 0 && node.isEmpty()) level.prune(token);
  return left;
}

function removeFromNode(node: SublistNode, sub: Subscription): number {
  if (sub.queue === null) {
    if (node.psubs === null || !node.psubs.delete(sub)) return -1;
    const left = node.psubs.size;
    if (left === 0) node.psubs = null;
    return left;
  }
  const group = node.qsubs?.get(sub.queue);
  if (group === undefined || !group.subs.delete(sub)) return -1;
  const left = group.subs.size;
  if (left === 0) {
    node.qsubs!.delete(sub.queue);
    if (node.qsubs!.size === 0) node.qsubs = null;
  }
  return left;
}

/** A copy of `r` with `sub` added; unchanged member arrays are shared, as results are immutable. */
function resultWith(r: SublistResult, sub: Subscription): SublistResult {
  if (sub.queue === null) return { psubs: [...r.psubs, sub], qsubs: r.qsubs };
  const qsubs = r.qsubs.slice();
  const slot = findQueueSlot(qsubs, sub.queue);
  if (slot < 0) qsubs.push([sub]);
  else qsubs[slot] = [...qsubs[slot]!, sub];
  return { psubs: r.psubs, qsubs };
}
