// Subject syntax and wildcard relations (validity, matching, subset, collision), following
// nats-server 2.9.10 server/sublist.go. Tokens are split on `.`; `*` and `>` are wildcards only as whole tokens.

const DOT = 46; // "."
const STAR = 42; // "*"
const GT = 62; // ">"

/** True when the token is exactly `*` or `>` (a token like `foo*` or `>bar` is a literal). */
export function isWildcardToken(token: string): boolean {
  return token === "*" || token === ">";
}

/** nats-server checks only these five whitespace characters (not \v or Unicode spaces). */
function hasSubjectWhitespace(subject: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = subject.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 12 || c === 13) return true;
  }
  return false;
}

/** Splits a subject into its tokens (`"a.b"` → `["a", "b"]`; empty tokens are kept). */
export function tokenizeSubject(subject: string): string[] {
  return subject.split(".");
}

/**
 * A valid SUB subject (nats-server IsValidSubject): non-empty, no empty token, nothing after a `>` token,
 * no space, tab, CR, LF or form feed. `*` and `>` may be whole tokens; `foo*` and `>bar` are literals.
 */
export function isValidSubject(subject: string): boolean {
  if (subject === "") return false;
  let sawFwc = false;
  let start = 0;
  for (;;) {
    let end = subject.indexOf(".", start);
    if (end < 0) end = subject.length;
    if (end === start || sawFwc) return false;
    if (end - start === 1 && subject.charCodeAt(start) === GT) sawFwc = true;
    else if (hasSubjectWhitespace(subject, start, end)) return false;
    if (end === subject.length) return true;
    start = end + 1;
  }
}

/**
 * True when the subject contains a `*` or `>` that is a whole token (nats-server subjectHasWildcard /
 * !subjectIsLiteral). Does not check validity.
 */
export function subjectHasWildcard(subject: string): boolean {
  const len = subject.length;
  for (let i = 0; i < len; i++) {
    const c = subject.charCodeAt(i);
    if (c !== STAR && c !== GT) continue;
    if (
      (i === 0 || subject.charCodeAt(i - 1) === DOT) &&
      (i + 1 === len || subject.charCodeAt(i + 1) === DOT)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * nats-server IsValidLiteralSubject: no empty token and no wildcard token. Like 2.9.10 it does NOT reject
 * whitespace (`"foo bar"` is true); use isValidPublishSubject for the whitespace-checking variant.
 */
export function isValidLiteralSubject(subject: string): boolean {
  let start = 0;
  for (;;) {
    let end = subject.indexOf(".", start);
    if (end < 0) end = subject.length;
    if (end === start) return false;
    if (end - start === 1) {
      const c = subject.charCodeAt(start);
      if (c === STAR || c === GT) return false;
    }
    if (end === subject.length) return true;
    start = end + 1;
  }
}

/** A valid subject without wildcards (nats-server IsValidPublishSubject). */
export function isValidPublishSubject(subject: string): boolean {
  return isValidSubject(subject) && !subjectHasWildcard(subject);
}

/**
 * Does the literal `subject` match `filter` (which may hold `*` and `>`)? Allocation-free token walk,
 * used where a subject is tested against one filter (JetStream consumer filters, permissions).
 * `*` and `>` never match an empty token, so a subject with empty tokens matches only an identical literal.
 */
export function subjectMatchesFilter(subject: string, filter: string): boolean {
  let s = 0;
  let f = 0;
  const sLen = subject.length;
  const fLen = filter.length;
  for (;;) {
    let fEnd = filter.indexOf(".", f);
    if (fEnd < 0) fEnd = fLen;
    let sEnd = subject.indexOf(".", s);
    if (sEnd < 0) sEnd = sLen;
    const fTokLen = fEnd - f;
    if (fTokLen === 1 && filter.charCodeAt(f) === GT && fEnd === fLen) {
      // `>` matches one or more remaining tokens, none empty.
      return sEnd > s && !hasEmptyToken(subject, s);
    }
    if (fTokLen === 1 && filter.charCodeAt(f) === STAR) {
      if (sEnd === s) return false;
    } else if (fTokLen !== sEnd - s || !sameChars(subject, s, filter, f, fTokLen)) {
      return false;
    }
    const sDone = sEnd === sLen;
    const fDone = fEnd === fLen;
    if (sDone || fDone) return sDone && fDone;
    s = sEnd + 1;
    f = fEnd + 1;
  }
}

/** Whether subject[from..] has an empty token; subject[from] is known to start a non-empty token. */
function hasEmptyToken(subject: string, from: number): boolean {
  return subject.charCodeAt(subject.length - 1) === DOT || subject.indexOf("..", from) >= 0;
}

function sameChars(a: string, aFrom: number, b: string, bFrom: number, len: number): boolean {
  for (let i = 0; i < len; i++) {
    if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) return false;
  }
  return true;
}

/**
 * Is every literal matched by `subject` also matched by `of`? Both may hold wildcards
 * (`foo.*` is a subset of `>`, `*.*` and `foo.*`, not of `foo.bar`). nats-server subjectIsSubsetMatch,
 * except that only whole-token `*` counts as a wildcard in `of` (2.9.10 also treats a literal token
 * starting with `*`, like `*x`, as one).
 */
export function subjectIsSubsetOf(subject: string, of: string): boolean {
  const sub = subject.split(".");
  const test = of.split(".");
  for (let i = 0; i < test.length; i++) {
    if (i >= sub.length) return false;
    const t2 = test[i]!;
    if (t2 === "") return false;
    if (t2 === ">") return true;
    const t1 = sub[i]!;
    if (t1 === "" || t1 === ">") return false;
    if (t1 === "*") {
      if (t2 !== "*") return false;
    } else if (t2 !== "*" && t1 !== t2) {
      return false;
    }
  }
  return sub.length === test.length;
}

/**
 * Could some literal subject match both `a` and `b`? JetStream rejects streams whose subjects collide.
 * Same results as nats-server SubjectsCollide for subjects whose wildcards are whole tokens; unlike
 * 2.9.10 a literal token starting with `*` or `>` (like `*x`) is compared as a literal.
 */
export function subjectsCollide(a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.split(".");
  const tb = b.split(".");
  for (let i = 0; ; i++) {
    const aDone = i === ta.length;
    const bDone = i === tb.length;
    if (aDone || bDone) return aDone && bDone;
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === "" || y === "") return false;
    if (x === ">" || y === ">") return true;
    if (x !== "*" && y !== "*" && x !== y) return false;
  }
}
