// Read-only queries over a store's index (sequence table + subject index), shared by the memory
// and file stores: next/previous match, filtered counts, last per subject, time lookups.

import type { SeqTable } from "./seq-table.js";
import type { FilteredState } from "./store.js";
import type { SubjectIndex, SubjectState } from "./subject-index.js";
import { hasWildcard, isMatchAll, subjectMatches } from "./subject-match.js";

/** Slots a wildcard search walks linearly before it consults the subject index instead. */
const LINEAR_SCAN_BUDGET = 256;

export interface IndexEntry {
  subject: string;
  ts: number;
  tsNanos: number;
}

export interface IndexView<E extends IndexEntry> {
  readonly table: SeqTable<E>;
  readonly subjects: SubjectIndex;
  /** The stream's last sequence (may be above the table's last live one). */
  readonly lastSeq: number;
}

/** Calls fn for every subject state matching a wildcard filter. */
function forMatchingSubjects(subjects: SubjectIndex, filter: string, fn: (ss: SubjectState) => void): void {
  for (const [subject, ss] of subjects.entries()) {
    if (subjectMatches(subject, filter)) fn(ss);
  }
}

export function nextMatchingSeq<E extends IndexEntry>(
  v: IndexView<E>,
  start: number,
  filter: string | null,
): number {
  const { table, subjects } = v;
  if (table.size === 0) return 0;
  start = Math.max(start, table.first);
  const last = table.last;
  if (start > last) return 0;
  if (isMatchAll(filter)) return table.nextLive(start, last);
  const f = filter as string;
  const isLive = (s: number) => table.get(s) !== undefined;
  if (!hasWildcard(f)) return subjects.get(f)?.nextLive(start, isLive) ?? 0;
  const scanTo = Math.min(last, start + LINEAR_SCAN_BUDGET);
  for (let s = start; s <= scanTo; s++) {
    const e = table.get(s);
    if (e !== undefined && subjectMatches(e.subject, f)) return s;
  }
  if (scanTo === last) return 0;
  let best = 0;
  forMatchingSubjects(subjects, f, (ss) => {
    if (ss.last <= scanTo) return;
    const n = ss.nextLive(scanTo + 1, isLive);
    if (n !== 0 && (best === 0 || n < best)) best = n;
  });
  return best;
}

export function prevMatchingSeq<E extends IndexEntry>(
  v: IndexView<E>,
  start: number,
  filter: string | null,
): number {
  const { table, subjects } = v;
  if (table.size === 0) return 0;
  const first = table.first;
  start = Math.min(start, table.last);
  if (start < first) return 0;
  if (isMatchAll(filter)) return table.prevLive(start, first);
  const f = filter as string;
  const isLive = (s: number) => table.get(s) !== undefined;
  if (!hasWildcard(f)) return subjects.get(f)?.prevLive(start, isLive) ?? 0;
  const scanTo = Math.max(first, start - LINEAR_SCAN_BUDGET);
  for (let s = start; s >= scanTo; s--) {
    const e = table.get(s);
    if (e !== undefined && subjectMatches(e.subject, f)) return s;
  }
  if (scanTo === first) return 0;
  let best = 0;
  forMatchingSubjects(subjects, f, (ss) => {
    if (ss.first >= scanTo) return;
    const p = ss.prevLive(scanTo - 1, isLive);
    if (p > best) best = p;
  });
  return best;
}

/** Newest sequence on a subject filter (wildcards allowed), or 0. */
export function lastBySubjectSeq<E extends IndexEntry>(v: IndexView<E>, filter: string): number {
  if (isMatchAll(filter)) return v.table.last;
  if (!hasWildcard(filter)) return v.subjects.get(filter)?.last ?? 0;
  let best = 0;
  forMatchingSubjects(v.subjects, filter, (ss) => {
    if (ss.last > best) best = ss.last;
  });
  return best;
}

/** Live entries with sequence >= start. */
function countAllFrom<E extends IndexEntry>(table: SeqTable<E>, start: number): number {
  if (start <= table.first) return table.size;
  const last = table.last;
  if (start > last) return 0;
  if (last - start <= start - table.first) {
    let n = 0;
    for (let s = start; s <= last; s++) if (table.get(s) !== undefined) n++;
    return n;
  }
  let before = 0;
  for (let s = table.first; s < start; s++) if (table.get(s) !== undefined) before++;
  return table.size - before;
}

export function filteredState<E extends IndexEntry>(
  v: IndexView<E>,
  start: number,
  filter: string | null,
): FilteredState {
  const { table, subjects } = v;
  const none: FilteredState = { msgs: 0, first: 0, last: 0 };
  if (table.size === 0) return none;
  start = Math.max(start, table.first);
  if (start > table.last) return none;
  const isLive = (s: number) => table.get(s) !== undefined;
  if (isMatchAll(filter)) {
    return { msgs: countAllFrom(table, start), first: table.nextLive(start, table.last), last: table.last };
  }
  const f = filter as string;
  const result = { msgs: 0, first: 0, last: 0 };
  const add = (ss: SubjectState) => {
    if (ss.last < start) return;
    result.msgs += ss.countFrom(start, isLive);
    const n = ss.nextLive(start, isLive);
    if (n !== 0 && (result.first === 0 || n < result.first)) result.first = n;
    if (ss.last > result.last) result.last = ss.last;
  };
  if (!hasWildcard(f)) {
    const ss = subjects.get(f);
    if (ss !== undefined) add(ss);
  } else {
    forMatchingSubjects(subjects, f, add);
  }
  return result;
}

export function numPending<E extends IndexEntry>(
  v: IndexView<E>,
  start: number,
  filter: string | null,
  lastPerSubject: boolean,
): number {
  if (!lastPerSubject) return filteredState(v, start, filter).msgs;
  let n = 0;
  const counts = (ss: SubjectState) => {
    if (ss.last >= start) n++;
  };
  if (isMatchAll(filter)) {
    for (const [, ss] of v.subjects.entries()) counts(ss);
  } else if (!hasWildcard(filter as string)) {
    const ss = v.subjects.get(filter as string);
    if (ss !== undefined) counts(ss);
  } else {
    forMatchingSubjects(v.subjects, filter as string, counts);
  }
  return n;
}

export function subjectsState(subjects: SubjectIndex, filter?: string): Map<string, number> {
  const out = new Map<string, number>();
  const all = isMatchAll(filter);
  for (const [subject, ss] of subjects.entries()) {
    if (all || subjectMatches(subject, filter as string)) out.set(subject, ss.msgs);
  }
  return out;
}

function isAtOrAfter(e: IndexEntry, ms: number, nanos: number): boolean {
  return e.ts > ms || (e.ts === ms && e.tsNanos >= nanos);
}

/** First live sequence whose time is >= (ms, nanos); lastSeq + 1 when none. Assumes time order. */
export function seqForTime<E extends IndexEntry>(v: IndexView<E>, ms: number, nanos: number): number {
  const { table } = v;
  if (table.size === 0) return v.lastSeq + 1;
  let lo = table.first;
  const last = table.last;
  if (!isAtOrAfter(table.get(last)!, ms, nanos)) return v.lastSeq + 1;
  let hi = last;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const n = table.nextLive(mid, hi);
    if (isAtOrAfter(table.get(n)!, ms, nanos)) hi = mid;
    else lo = n + 1;
  }
  return table.nextLive(lo, last);
}

/** Sequences after the first live one up to lastSeq (inclusive) that hold no message, in order. */
export function deletedSeqs<E extends IndexEntry>(table: SeqTable<E>, lastSeq: number): number[] {
  const out: number[] = [];
  if (table.size === 0) return out;
  for (let s = table.first + 1; s <= lastSeq; s++) if (table.get(s) === undefined) out.push(s);
  return out;
}
