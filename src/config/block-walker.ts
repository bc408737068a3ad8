// Walks one map of the config tree key by key (case-insensitively, as nats-server): known keys go to
// their handler, later-work keys are kept raw, variable definitions are skipped, the rest are unknown.

import { isUsedAsVariable, keyPosition } from "./tree-meta.js";
import { KeyContext } from "./value-readers.js";

export type KeyHandler<S> = (state: S, c: KeyContext, value: unknown) => void;

export interface BlockSpec<S> {
  /** By lower-cased key. */
  handlers: Record<string, KeyHandler<S>>;
  /** Keys accepted but not mapped yet: lower-cased spelling → canonical nats-server name. */
  passThrough: Record<string, string>;
}

export interface WalkTarget {
  file: string;
  /** Dotted paths of keys nobody knows. */
  unknownKeys: string[];
  /** Called for each pass-through key with its canonical name. */
  keep(canonical: string, value: unknown, c: KeyContext): void;
}

export function walkBlock<S>(
  map: Record<string, unknown>,
  prefix: string,
  spec: BlockSpec<S>,
  state: S,
  target: WalkTarget,
): void {
  for (const key of Object.keys(map)) {
    const lower = key.toLowerCase();
    const path = prefix ? `${prefix}.${key}` : key;
    const c = new KeyContext(path, keyPosition(map, key), target.file);
    const value = map[key];
    const handler = Object.hasOwn(spec.handlers, lower) ? spec.handlers[lower] : undefined;
    if (handler) handler(state, c, value);
    else if (Object.hasOwn(spec.passThrough, lower)) target.keep(spec.passThrough[lower]!, value, c);
    else if (!isUsedAsVariable(map, key)) target.unknownKeys.push(path);
  }
}

/** Builds a pass-through table from canonical names and their aliases. */
export function passThroughTable(groups: Record<string, readonly string[]>): Record<string, string> {
  const table: Record<string, string> = {};
  for (const [canonical, aliases] of Object.entries(groups)) {
    table[canonical] = canonical;
    for (const alias of aliases) table[alias] = canonical;
  }
  return table;
}
