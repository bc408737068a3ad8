// The test-only JSON Schema validator must reject what a schema forbids, or schema tests prove nothing.
// The schemas here are small ones written for this test, shaped like the JetStream API documents.

import { describe, expect, it } from "vitest";
import { type Schema, validate } from "../../helpers/json-schema-validator.js";

const apiError: Schema = {
  type: "object",
  required: ["code"],
  properties: { code: { type: "integer", minimum: 300, maximum: 699 }, description: { type: "string" } },
};

const ack: Schema = {
  type: "object",
  required: ["stream"],
  additionalProperties: false,
  properties: {
    error: apiError,
    stream: { type: "string", minLength: 1 },
    seq: { type: "integer", minimum: 0 },
    duplicate: { type: "boolean" },
    domain: { type: "string" },
  },
};

const streamState: Schema = {
  type: "object",
  required: ["messages", "bytes", "first_seq", "last_seq", "consumer_count"],
  properties: {
    messages: { type: "integer", minimum: 0 },
    bytes: { type: "integer", minimum: 0 },
    first_seq: { type: "integer", minimum: 0 },
    first_ts: { type: "string", format: "date-time" },
    last_seq: { type: "integer", minimum: 0 },
    last_ts: { type: "string", format: "date-time" },
    consumer_count: { type: "integer", minimum: 0 },
  },
};

const info: Schema = {
  oneOf: [
    {
      type: "object",
      required: ["config", "state", "created"],
      properties: {
        created: { type: "string", format: "date-time" },
        state: streamState,
        config: {
          type: "object",
          required: ["name", "storage", "retention"],
          properties: {
            name: { type: "string", pattern: "^[^.*>]+$" },
            storage: { type: "string", enum: ["file", "memory"] },
            retention: { type: "string", enum: ["limits", "interest", "workqueue"] },
            subjects: { type: "array", items: { type: "string" } },
          },
        },
      },
    },
    { type: "object", required: ["error"], properties: { error: apiError } },
  ],
};

describe("json-schema-validator", () => {
  it("accepts a valid PubAck", () => {
    expect(validate(ack, { stream: "S", seq: 1 })).toEqual([]);
  });

  it("rejects missing required fields, wrong types, unknown properties and ranges", () => {
    expect(validate(ack, { seq: 1 })).toEqual(['$: missing required "stream"']);
    expect(validate(ack, { stream: "S", seq: "1" })).toEqual(["$.seq: expected integer, got string"]);
    expect(validate(ack, { stream: "S", seq: 1, extra: true })).toEqual(['$: unexpected property "extra"']);
    expect(validate(ack, { stream: "", seq: -1 })).toEqual(["$.stream: too short", "$.seq: below minimum"]);
  });

  it("checks enums, patterns, date-times, nested items and oneOf branches", () => {
    const base = {
      created: "2024-01-01T00:00:00.5Z",
      state: {
        messages: 0,
        bytes: 0,
        first_seq: 0,
        last_seq: 0,
        consumer_count: 0,
        first_ts: "0001-01-01T00:00:00Z",
      },
      config: { name: "S", subjects: ["s"], retention: "limits", storage: "file" },
    };
    expect(validate(info, base)).toEqual([]);
    expect(validate(info, { error: { code: 404, description: "stream not found" } })).toEqual([]);
    const badEnum = { ...base, config: { ...base.config, storage: "disk" } };
    expect(validate(info, badEnum).join()).toContain('"disk" not in enum');
    expect(validate(info, { ...base, created: "yesterday" }).join()).toContain("not a date-time");
    const badItem = { ...base, config: { ...base.config, subjects: ["s", 3] } };
    expect(validate(info, badItem).join()).toContain("oneOf");
    expect(validate(info, { created: base.created }).join()).toContain("oneOf");
  });
});
