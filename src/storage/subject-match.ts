// Subject filter matching for stores: does a literal subject match a filter with `*` and `>`.
// Kept local to storage (no dependency on core) and allocation-free: it walks both strings.

const DOT = 46; // "."
const STAR = 42; // "*"
const GT = 62; // ">"

/** True when the filter is null, empty or ">": every subject matches. */
export function isMatchAll(filter: string | null | undefined): boolean {
  return filter === null || filter === undefined || filter === "" || filter === ">";
}

/** True when some token of the subject is exactly `*` or `>`. */
export function hasWildcard(subject: string): boolean {
  const n = subject.length;
  for (let i = 0; i < n; i++) {
    const c = subject.charCodeAt(i);
    if ((c === STAR || c === GT) && (i === 0 || subject.charCodeAt(i - 1) === DOT)) {
      if (i + 1 === n || subject.charCodeAt(i + 1) === DOT) return true;
    }
  }
  return false;
}

/** Does the literal `subject` match `filter` (which may hold `*` and a trailing `>`)? */
export function subjectMatches(subject: string, filter: string): boolean {
  const sn = subject.length;
  const fn = filter.length;
  let si = 0;
  let fi = 0;
  while (fi < fn) {
    if (si > sn) return false;
    const fc = filter.charCodeAt(fi);
    const tokenStart = fi === 0 || filter.charCodeAt(fi - 1) === DOT;
    const tokenEnd = fi + 1 === fn || filter.charCodeAt(fi + 1) === DOT;
    if (tokenStart && tokenEnd && fc === GT) {
      // ">" needs at least one more token in the subject.
      return si < sn;
    }
    if (tokenStart && tokenEnd && fc === STAR) {
      if (si >= sn) return false;
      let end = si;
      while (end < sn && subject.charCodeAt(end) !== DOT) end++;
      if (end === si) return false; // empty token
      si = end;
      fi++;
      continue;
    }
    if (si >= sn || subject.charCodeAt(si) !== fc) return false;
    si++;
    fi++;
  }
  return si === sn;
}

/** Matching that treats null/">" as everything and literal filters as plain equality. */
export function makeMatcher(filter: string | null | undefined): ((subject: string) => boolean) | null {
  if (isMatchAll(filter)) return null;
  const f = filter as string;
  if (!hasWildcard(f)) return (s) => s === f;
  return (s) => subjectMatches(s, f);
}
