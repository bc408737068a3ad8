// The JetStream error catalogue: codes and texts as nats-server 2.9.10 sends them, templates filled.

import { describe, expect, it } from "vitest";
import { isJsError, jsError, jsErrors } from "../../../src/jetstream/errors.js";

describe("jsError", () => {
  it("holds all 132 entries of nats-server 2.9.10 errors.json with unique err_codes", () => {
    const entries = Object.values(jsErrors);
    expect(entries.length).toBe(132);
    expect(new Set(entries.map((e) => e.err_code)).size).toBe(132);
  });

  it("returns code, err_code and description", () => {
    expect(jsError("JSStreamNameExistErr")).toEqual({
      code: 400,
      err_code: 10058,
      description: "stream name already in use with a different configuration",
    });
    expect(jsError("JSStreamNotFoundErr")).toEqual({
      code: 404,
      err_code: 10059,
      description: "stream not found",
    });
  });

  it("fills templates, with Error values replaced by their message", () => {
    expect(jsError("JSStreamWrongLastSequenceErrF", { seq: 12 }).description).toBe("wrong last sequence: 12");
    expect(jsError("JSStreamStoreFailedF", { err: new Error("maximum messages exceeded") })).toEqual({
      code: 503,
      err_code: 10077,
      description: "maximum messages exceeded",
    });
    expect(jsError("JSConsumerNameTooLongErrF", { max: 255 }).description).toBe(
      "consumer name is too long, maximum allowed is 255",
    );
  });

  it("leaves placeholders without a value as written", () => {
    expect(jsError("JSSequenceNotFoundErrF").description).toBe("sequence {seq} not found");
  });

  it("compares by err_code", () => {
    expect(isJsError(jsError("JSStreamNotFoundErr"), "JSStreamNotFoundErr")).toBe(true);
    expect(isJsError(jsError("JSStreamNotFoundErr"), "JSConsumerNotFoundErr")).toBe(false);
    expect(isJsError(null, "JSStreamNotFoundErr")).toBe(false);
  });
});
