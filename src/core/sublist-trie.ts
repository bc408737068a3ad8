// The token trie under Sublist: levels, nodes and the walks that collect matching subscriptions.
// Mirrors nats-server server/sublist.go (level: literal map + `*` node + `>` node; node: plain and queue subs).

import type { Subscription } from "./subscription.js";

/** One queue group's members at one trie node. */
export class QueueMembers {
  readonly subs = new Set<Subscription>();
  constructor(readonly name: string) {}
}

export class SublistNode {
  next: SublistLevel | null = null;
  /** Plain subscriptions ending at this node; null when none, to keep interior nodes small. */
  psubs: Set<Subscription> | null = null;
  /** Queue subscriptions ending here, by queue name; null when none. */
  qsubs: Map<string, QueueMembers> | null = null;
  /** The full subject of the subscriptions ending here ("" for interior nodes). */
  subject = "";

  hasSubs(): boolean {
    return this.psubs !== null || this.qsubs !== null;
  }

  /** Prunable: no subscriptions here and nothing below. */
  isEmpty(): boolean {
    return this.psubs === null && this.qsubs === null && (this.next === null || this.next.isEmpty());
  }
}

export class SublistLevel {
  readonly nodes = new Map<string, SublistNode>();
  pwc: SublistNode | null = null;
  fwc: SublistNode | null = null;

  isEmpty(): boolean {
    return this.nodes.size === 0 && this.pwc === null && this.fwc === null;
  }

  /** The child for a token: `*` and `>` live in their own slots, every other token is a literal. */
  child(token: string): SublistNode | null {
    if (token === "*") return this.pwc;
    if (token === ">") return this.fwc;
    return this.nodes.get(token) ?? null;
  }

  childOrCreate(token: string): SublistNode {
    let node = this.child(token);
    if (node !== null) return node;
    node = new SublistNode();
    if (token === "*") this.pwc = node;
    else if (token === ">") this.fwc = node;
    else this.nodes.set(token, node);
    return node;
  }

  prune(token: string): void {
    if (token === "*") this.pwc = null;
    else if (token === ">") this.fwc = null;
    else this.nodes.delete(token);
  }
}

/** A match result being built (mutable only until it is published to the cache). */
export interface ResultBuilder {
  psubs: Subscription[];
  qsubs: Subscription[][];
}

/** Appends a node's subscriptions; queue members join the result's group of the same name. */
export function addNodeToResult(node: SublistNode, result: ResultBuilder): void {
  if (node.psubs !== null) {
    for (const sub of node.psubs) result.psubs.push(sub);
  }
  if (node.qsubs === null) return;
  for (const group of node.qsubs.values()) {
    const slot = findQueueSlot(result.qsubs, group.name);
    let members: Subscription[];
    if (slot < 0) {
      members = [];
      result.qsubs.push(members);
    } else {
      members = result.qsubs[slot]!;
    }
    for (const sub of group.subs) members.push(sub);
  }
}

/**
 * Index of the group named `queue`, or -1. A linear scan, as in nats-server: results rarely hold more than
 * a few groups, and an array iterates faster than a map when delivering.
 */
export function findQueueSlot(qsubs: readonly (readonly Subscription[])[], queue: string): number {
  for (let i = 0; i < qsubs.length; i++) {
    if (qsubs[i]![0]!.queue === queue) return i;
  }
  return -1;
}

/**
 * Collects every subscription matching the literal `tokens[start..]` below `level`.
 * `>` at a level matches when at least one token remains; `*` matches exactly one token (recursion).
 */
export function matchLevel(
  level: SublistLevel | null,
  tokens: readonly string[],
  start: number,
  result: ResultBuilder,
): void {
  let pwc: SublistNode | null = null;
  let node: SublistNode | undefined;
  for (let i = start; i < tokens.length; i++) {
    if (level === null) return;
    if (level.fwc !== null) addNodeToResult(level.fwc, result);
    pwc = level.pwc;
    if (pwc !== null) matchLevel(pwc.next, tokens, i + 1, result);
    node = level.nodes.get(tokens[i]!);
    level = node === undefined ? null : node.next;
  }
  if (node !== undefined) addNodeToResult(node, result);
  if (pwc !== null) addNodeToResult(pwc, result);
}

/** Like matchLevel, but stops at the first subscription found. */
export function levelHasInterest(
  level: SublistLevel | null,
  tokens: readonly string[],
  start: number,
): boolean {
  let pwc: SublistNode | null = null;
  let node: SublistNode | undefined;
  for (let i = start; i < tokens.length; i++) {
    if (level === null) return false;
    if (level.fwc?.hasSubs()) return true;
    pwc = level.pwc;
    if (pwc !== null && levelHasInterest(pwc.next, tokens, i + 1)) return true;
    node = level.nodes.get(tokens[i]!);
    level = node === undefined ? null : node.next;
  }
  return node?.hasSubs() === true || pwc?.hasSubs() === true;
}

/** Calls `fn` for each node below `level` that holds subscriptions (depth first). */
export function forEachSubNode(level: SublistLevel, fn: (node: SublistNode) => void): void {
  for (const node of level.nodes.values()) visitNode(node, fn);
  if (level.pwc !== null) visitNode(level.pwc, fn);
  if (level.fwc !== null) visitNode(level.fwc, fn);
}

function visitNode(node: SublistNode, fn: (node: SublistNode) => void): void {
  if (node.hasSubs()) fn(node);
  if (node.next !== null) forEachSubNode(node.next, fn);
}
