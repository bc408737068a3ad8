// Store-side subject filter matching: tokens, `*`, trailing `>`, literals.

import { describe, expect, it } from "vitest";
import { hasWildcard, isMatchAll, makeMatcher, subjectMatches } from "../../../src/storage/subject-match.js";

describe("subject matching", () => {
  it("matches `*` as exactly one token", () => {
    expect(subjectMatches("foo.bar", "foo.*")).toBe(true);
    expect(subjectMatches("foo.bar.baz", "foo.*")).toBe(false);
    expect(subjectMatches("foo", "foo.*")).toBe(false);
    expect(subjectMatches("foo.bar.baz", "*.bar.*")).toBe(true);
    expect(subjectMatches("foo.bar.baz", "*.baz.*")).toBe(false);
  });

  it("matches `>` as one or more trailing tokens", () => {
    expect(subjectMatches("foo.bar", "foo.>")).toBe(true);
    expect(subjectMatches("foo.bar.baz", "foo.>")).toBe(true);
    expect(subjectMatches("foo", "foo.>")).toBe(false);
    expect(subjectMatches("anything.at.all", ">")).toBe(true);
  });

  it("compares literal tokens exactly, including `*` inside a token", () => {
    expect(subjectMatches("foo.bar", "foo.bar")).toBe(true);
    expect(subjectMatches("foo.barx", "foo.bar")).toBe(false);
    expect(subjectMatches("foo.bar", "foo.barx")).toBe(false);
    expect(subjectMatches("a*b.c", "a*b.c")).toBe(true);
    expect(subjectMatches("axb.c", "a*b.c")).toBe(false);
  });

  it("knows wildcards and match-all filters", () => {
    expect(hasWildcard("foo.*")).toBe(true);
    expect(hasWildcard("foo.>")).toBe(true);
    expect(hasWildcard("*")).toBe(true);
    expect(hasWildcard("foo.a*")).toBe(false);
    expect(hasWildcard("foo.>x")).toBe(false);
    expect(isMatchAll(null)).toBe(true);
    expect(isMatchAll(">")).toBe(true);
    expect(isMatchAll("")).toBe(true);
    expect(isMatchAll("a.>")).toBe(false);
    expect(makeMatcher(">")).toBeNull();
    expect(makeMatcher("a.b")!("a.b")).toBe(true);
    expect(makeMatcher("a.*")!("a.c")).toBe(true);
    expect(makeMatcher("a.*")!("b.c")).toBe(false);
  });
});
