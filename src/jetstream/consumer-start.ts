// Where a new consumer starts in its stream (nats-server selectStartingSeqNo): by deliver policy, start
// sequence or time, and for last_per_subject the sorted list of each subject's newest message to visit first.

import type { MessageStore } from "../storage/store.js";
import type { AckState } from "./ack-tracker.js";
import type { ConsumerConfig } from "./consumer-config.js";
import { parseRfc3339 } from "./consumer-time.js";

/** last_per_subject: the newest sequence of each matching subject, visited before resuming at `resume`. */
export interface SkipList {
  resume: number;
  seqs: number[];
  index: number;
}

/** Sets the state's starting sequences; returns the skip list for last_per_subject (else null). */
export function selectStart(
  s: AckState,
  store: MessageStore,
  cfg: ConsumerConfig,
  filters: readonly string[],
): SkipList | null {
  const state = store.state();
  let skip: SkipList | null = null;
  let sseq: number;
  const optStart = cfg.opt_start_seq ?? 0;
  if (optStart > 0) {
    sseq = optStart;
  } else {
    switch (cfg.deliver_policy) {
      case "all":
        sseq = state.firstSeq;
        break;
      case "last":
        sseq = filters.length === 0 ? state.lastSeq : lastMatching(store, filters);
        break;
      case "last_per_subject": {
        const seqs = lastPerSubject(store, filters);
        if (seqs.length > 0) {
          skip = { resume: state.lastSeq, seqs, index: 0 };
          sseq = seqs[0]!;
        } else {
          sseq = state.lastSeq;
        }
        break;
      }
      case "by_start_time": {
        const t = parseRfc3339(cfg.opt_start_time ?? "");
        sseq = t === null ? state.lastSeq + 1 : store.seqForTime(t.ms, t.nanos);
        break;
      }
      default:
        sseq = state.lastSeq + 1;
    }
  }
  if (state.firstSeq === 0) sseq = 1;
  else if (sseq < state.firstSeq) sseq = state.firstSeq;
  else if (sseq > state.lastSeq) sseq = state.lastSeq + 1;
  s.sseq = sseq;
  s.dseq = 1;
  // nats-server sets the ack floor to sseq-1 here, but then reloads the consumer store's state, in
  // which only the delivered sequence was set: a new consumer reports (and uses) an ack floor of 0/0.
  s.adflr = 0;
  s.asflr = 0;
  return skip;
}

/** The newest message matching any filter (FilteredState(1, filter).Last). */
function lastMatching(store: MessageStore, filters: readonly string[]): number {
  let last = 0;
  for (const f of filters) last = Math.max(last, store.filteredState(1, f).last);
  return last;
}

/** Each matching subject's newest sequence, sorted (createLastSeqSkipList). */
function lastPerSubject(store: MessageStore, filters: readonly string[]): number[] {
  const seqs = new Set<number>();
  const all = filters.length === 0 ? [undefined] : filters;
  for (const f of all) {
    for (const subject of store.subjectsState(f).keys()) {
      const m = store.loadLastBySubject(subject);
      if (m !== null) seqs.add(m.seq);
    }
  }
  return [...seqs].sort((a, b) => a - b);
}
