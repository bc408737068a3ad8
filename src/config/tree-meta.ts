// Hidden bookkeeping on the parsed tree's maps: where each key was written and which keys were
// referenced as $variables, so the option mapper can report positions and skip variable definitions.

import type { SourcePos } from "./config-error.js";

const META = Symbol("natsgate.config.meta");

interface MapMeta {
  positions: Map<string, SourcePos>;
  usedAsVariable: Set<string>;
}

type ConfigMap = Record<string, unknown>;

/** A new map for the tree, with its (non-enumerable) bookkeeping attached. */
export function newConfigMap(): ConfigMap {
  const map: ConfigMap = {};
  const meta: MapMeta = { positions: new Map(), usedAsVariable: new Set() };
  Object.defineProperty(map, META, { value: meta, enumerable: false });
  return map;
}

function metaOf(map: ConfigMap): MapMeta | undefined {
  return (map as { [META]?: MapMeta })[META];
}

/** Sets a key as its own property (even `__proto__`), remembering where it was written. */
export function setConfigKey(map: ConfigMap, key: string, value: unknown, pos?: SourcePos): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  const meta = metaOf(map);
  if (meta && pos) meta.positions.set(key, pos);
}

/** Where `key` of `map` was written, when the map came from the parser. */
export function keyPosition(map: ConfigMap, key: string): SourcePos | undefined {
  return metaOf(map)?.positions.get(key);
}

export function markUsedAsVariable(map: ConfigMap, key: string): void {
  metaOf(map)?.usedAsVariable.add(key);
}

/** True when the key only defines a variable that something referenced (nats-server does not warn). */
export function isUsedAsVariable(map: ConfigMap, key: string): boolean {
  return metaOf(map)?.usedAsVariable.has(key) ?? false;
}

export function isConfigMap(v: unknown): v is ConfigMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
