// The test-only JSON Schema validator must reject what the schemas forbid, or schema tests prove nothing.

import { describe, expect, it } from "vitest";
import { loadApiSchema, validate } from "../../fixtures/schemas/json-schema-validator.js";

const ack = loadApiSchema("pub_ack_response");
const info = loadApiSchema("stream_info_response");

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

  it("checks enums, date-times and oneOf branches", () => {
    const base = {
      type: "io.nats.jetstream.api.v1.stream_info_response",
      total: 0,
      offset: 0,
      limit: 0,
      created: "2024-01-01T00:00:00.5Z",
      state: {
        messages: 0,
        bytes: 0,
        first_seq: 0,
        first_ts: "0001-01-01T00:00:00Z",
        last_seq: 0,
        last_ts: "0001-01-01T00:00:00Z",
        consumer_count: 0,
      },
      config: {
        name: "S",
        subjects: ["s"],
        retention: "limits",
        max_consumers: -1,
        max_msgs: -1,
        max_bytes: -1,
        max_age: 0,
        max_msgs_per_subject: -1,
        max_msg_size: -1,
        discard: "old",
        storage: "file",
        num_replicas: 1,
        duplicate_window: 1,
        sealed: false,
        deny_delete: false,
        deny_purge: false,
        allow_rollup_hdrs: false,
        allow_direct: false,
        mirror_direct: false,
      },
    };
    expect(validate(info, base)).toEqual([]);
    const badEnum = { ...base, config: { ...base.config, storage: "disk" } };
    expect(validate(info, badEnum).join()).toContain('"disk" not in enum');
    expect(validate(info, { ...base, created: "yesterday" }).join()).toContain("not a date-time");
    expect(validate(info, { type: base.type, total: 0, offset: 0, limit: 0 }).join()).toContain("oneOf");
  });
});
