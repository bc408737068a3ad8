// Query parameters read with Go's strconv rules, and nats-server's texts for bad ones.

import { describe, expect, it } from "vitest";
import { MonitorQuery, MonitorRequestError } from "../../../src/monitor/query.js";

describe("MonitorQuery", () => {
  it("reads booleans the way strconv.ParseBool does", () => {
    const q = MonitorQuery.parse("a=1&b=t&c=TRUE&d=True&e=0&f=F&g=false");
    expect(["a", "b", "c", "d"].map((k) => q.bool(k))).toEqual([true, true, true, true]);
    expect(["e", "f", "g", "absent"].map((k) => q.bool(k))).toEqual([false, false, false, false]);
  });

  it("refuses other booleans with nats-server's 400 text", () => {
    const q = MonitorQuery.parse("subs=yes");
    expect(() => q.bool("subs")).toThrow(MonitorRequestError);
    expect(() => q.bool("subs")).toThrow(
      `Error decoding boolean for 'subs': strconv.ParseBool: parsing "yes": invalid syntax`,
    );
  });

  it("reads ints and uints, refusing what Atoi and ParseUint refuse", () => {
    const q = MonitorQuery.parse("limit=%2B5&offset=-2&cid=7&bad=1.5&neg=-1");
    expect(q.int("limit")).toBe(5);
    expect(q.int("offset")).toBe(-2);
    expect(q.uint("cid")).toBe(7);
    expect(q.int("missing")).toBe(0);
    expect(() => q.int("bad")).toThrow(
      `Error decoding int for 'bad': strconv.Atoi: parsing "1.5": invalid syntax`,
    );
    expect(() => q.uint("neg")).toThrow(
      `Error decoding uint64 for 'neg': strconv.ParseUint: parsing "-1": invalid syntax`,
    );
  });

  it("takes the first of repeated keys and decodes escapes", () => {
    const q = MonitorQuery.parse("acc=%24G&acc=other&test=a+b");
    expect(q.get("acc")).toBe("$G");
    expect(q.get("test")).toBe("a b");
    expect(new MonitorQuery({ x: ["one", "two"] }).get("x")).toBe("one");
  });
});
