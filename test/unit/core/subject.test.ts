// Subject syntax and wildcard relations, with expectations taken from nats-server 2.9.10 (server/sublist.go).

import { describe, expect, it } from "vitest";
import {
  isValidLiteralSubject,
  isValidPublishSubject,
  isValidSubject,
  isWildcardToken,
  subjectHasWildcard,
  subjectIsSubsetOf,
  subjectMatchesFilter,
  subjectsCollide,
  tokenizeSubject,
} from "../../../src/core/subject.js";

// [subject, isValidSubject, isValidLiteralSubject, isValidPublishSubject, subjectHasWildcard]
const validity: [string, boolean, boolean, boolean, boolean][] = [
  ["", false, false, false, false],
  [".", false, false, false, false],
  ["foo.", false, false, false, false],
  [".foo", false, false, false, false],
  ["foo..bar", false, false, false, false],
  ["foo", true, true, true, false],
  ["foo.bar", true, true, true, false],
  ["foo.*.bar", true, false, false, true],
  ["foo.bar.*", true, false, false, true],
  ["foo.bar.>", true, false, false, true],
  ["foo.>.bar", false, false, false, true],
  [">.bar", false, false, false, true],
  ["*", true, false, false, true],
  [">", true, false, false, true],
  ["*.>", true, false, false, true],
  // A wildcard character inside a longer token is a literal.
  ["foo.*bar", true, true, true, false],
  ["foo*", true, true, true, false],
  ["foo**", true, true, true, false],
  ["foo.**", true, true, true, false],
  ["*bar", true, true, true, false],
  ["foo>", true, true, true, false],
  ["foo.>>", true, true, true, false],
  [">bar", true, true, true, false],
  ["foo.>bar", true, true, true, false],
  ["foo>.bar", true, true, true, false],
  // Whitespace: rejected by isValidSubject, but 2.9.10's IsValidLiteralSubject does not check it.
  ["foo bar", false, true, false, false],
  ["foo\tbar", false, true, false, false],
  ["foo.\n", false, true, false, false],
  ["foo.\r.bar", false, true, false, false],
  ["foo\fbar", false, true, false, false],
  [" ", false, true, false, false],
  ["foo.* ", false, true, false, false],
  // Only the five characters nats-server lists count as whitespace.
  ["foo\vbar", true, true, true, false],
  ["foo\u00a0bar", true, true, true, false],
  ["ünïcödé.主题", true, true, true, false],
];

describe("subject validity", () => {
  it.each(validity)(
    "%j → valid %s, literal %s, publish %s, wildcard %s",
    (subject, valid, literal, pub, wc) => {
      expect(isValidSubject(subject)).toBe(valid);
      expect(isValidLiteralSubject(subject)).toBe(literal);
      expect(isValidPublishSubject(subject)).toBe(pub);
      expect(subjectHasWildcard(subject)).toBe(wc);
    },
  );

  it("isWildcardToken accepts only whole `*` and `>` tokens", () => {
    expect(["*", ">", "*a", "a>", "**", ""].map(isWildcardToken)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it("tokenizeSubject keeps empty tokens", () => {
    expect(tokenizeSubject("a.b.>")).toEqual(["a", "b", ">"]);
    expect(tokenizeSubject("a..b.")).toEqual(["a", "", "b", ""]);
    expect(tokenizeSubject("")).toEqual([""]);
  });
});

// [literal subject, filter, matches]
const matches: [string, string, boolean][] = [
  ["foo", "foo", true],
  ["foo", "bar", false],
  ["foo", "*", true],
  ["foo", ">", true],
  ["foo.bar", ">", true],
  ["foo.bar", "*", false],
  ["foo.bar", "foo.>", true],
  ["foo", "foo.>", false],
  ["foo.bar", "bar.>", false],
  ["stats.test.22", "stats.>", true],
  ["stats.test.22", "stats.*.*", true],
  ["stats.test.22", "*.test.>", true],
  ["stats.test.22", "*.*.22.>", false],
  ["foo.bar", "foo", false],
  ["stats.test.foos", "stats.test.foos", true],
  ["stats.test.foos", "stats.test.foo", false],
  ["stats.test.foo", "stats.test.foos", false],
  ["stats.test", "stats.test.*", false],
  ["stats.test.foos", "stats.*", false],
  ["stats.test.foos", "stats.*.*.foos", false],
  // Wildcard characters inside a token are literals.
  ["*bar", "*bar", true],
  ["xbar", "*bar", false],
  ["foo*", "foo*", true],
  ["foox", "foo*", false],
  ["foo.***.bar", "foo.***.bar", true],
  [">bar", ">bar", true],
  ["xbar", ">bar", false],
  ["foo>", "foo>", true],
  ["foo.bar.baz", "foo.>bar", false],
  // Wildcards never match an empty token.
  ["foo.", "foo.*", false],
  ["foo.", "foo.>", false],
  ["foo..bar", "foo.>", false],
  ["foo..bar", "foo.*.bar", false],
];

describe("subjectMatchesFilter", () => {
  it.each(matches)("%j against %j → %s", (subject, filter, expected) => {
    expect(subjectMatchesFilter(subject, filter)).toBe(expected);
  });
});

// [subject, of, subject ⊆ of]
const subsets: [string, string, boolean][] = [
  ["foo.*", ">", true],
  ["foo.*", "*.*", true],
  ["foo.*", "foo.*", true],
  ["foo.*", "foo.bar", false],
  ["foo.>", ">", true],
  ["foo.>", "*.>", true],
  ["foo.>", "foo.>", true],
  ["foo.>", "foo.bar", false],
  ["foo.>", "foo.*", false],
  ["foo.>", "foo.*.>", false],
  ["foo.*.>", "foo.>", true],
  ["foo.bar", "foo.*", true],
  ["foo.bar", "foo.>", true],
  ["foo.bar", "foo.bar", true],
  ["foo.bar", "foo.baz", false],
  ["foo", "foo.>", false],
  ["foo.bar.baz", "foo.*", false],
  ["foo.*", "foo.*.*", false],
  [">", "foo.>", false],
  [">", ">", true],
  ["*", ">", true],
  ["*", "*", true],
  ["*", "foo", false],
  // Bad subjects are never subsets.
  ["foo..bar", "foo.*", false],
  ["foo.*", "foo..bar", false],
  // A token such as `*x` is a literal on both sides (2.9.10 treats it as `*` in `of`).
  ["foo.bar", "foo.*x", false],
  ["foo.*x", "foo.*", true],
  ["foo.*x", "foo.*x", true],
];

describe("subjectIsSubsetOf", () => {
  it.each(subsets)("%j ⊆ %j → %s", (subject, of, expected) => {
    expect(subjectIsSubsetOf(subject, of)).toBe(expected);
  });
});

// [a, b, collide]
const collisions: [string, string, boolean][] = [
  ["foo.*", "foo.*.bar.>", false],
  ["foo.*.bar.>", "foo.*", false],
  ["foo.*", "foo.foo", true],
  ["foo.*", "*.foo", true],
  ["foo.bar.>", "*.bar.foo", true],
  ["foo", "foo", true],
  ["foo", "bar", false],
  ["foo.bar", "foo.baz", false],
  ["foo.>", "foo", false],
  ["foo", "foo.>", false],
  ["foo.>", "foo.bar.baz", true],
  ["foo.>", "bar.>", false],
  ["foo.>", "*.bar", true],
  ["foo.>", "*.*.>", true],
  [">", "foo.bar", true],
  [">", "*", true],
  ["*", "foo.bar", false],
  ["*.>", "foo", false],
  ["*.*", "*.*.*", false],
  ["*.*", "foo.*", true],
  ["foo.*.baz", "foo.bar.*", true],
  ["foo.*.baz", "foo.bar.qux", false],
  ["a.*", "a.b.>", false],
  ["a.*.c", "a.>", true],
  ["a.*.>", "a.*.c", true],
  ["a.b.c.>", "*.x.>", false],
  // `*x` is a literal token (2.9.10's token check looks only at the first character).
  ["a.*x.>", "a.b.*", false],
  ["a.*x.>", "a.*x.*", true],
  ["foo.*x", "foo.*", true],
];

describe("subjectsCollide", () => {
  it.each(collisions)("%j vs %j → %s", (a, b, expected) => {
    expect(subjectsCollide(a, b)).toBe(expected);
    expect(subjectsCollide(b, a)).toBe(expected);
  });
});
