// Every stream API response shape (success and error) and the PubAck validated against nats-io/jsm.go's
// JetStream API schemas (2.9 era), on memory and file storage. The schemas are read from outside the repo
// (see apiSchemasDir); without them the suite is skipped with a message.

import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { apiSchemasDir, loadApiSchema, validate } from "../helpers/json-schema-validator.js";
import { STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

function expectValid(schemaName: string, value: unknown): void {
  const errors = validate(loadApiSchema(schemaName), value);
  expect(errors, `${schemaName}: ${JSON.stringify(value)}`).toEqual([]);
}

const schemasDir = apiSchemasDir();
if (schemasDir === null) {
  console.warn(
    "jsm.go JetStream API schemas not found (NATSGATE_JSM_SCHEMAS or ../shared/jsm-schemas): schema tests skipped",
  );
}

describe.skipIf(schemasDir === null).each(STORAGES)(
  "API responses match the jsm.go schemas on %s storage",
  (storage) => {
    const t = useJetStream();

    it("stream create, update, info, list, names, purge, delete", async () => {
      const create = await t.api("$JS.API.STREAM.CREATE.SCH", {
        name: "SCH",
        subjects: ["sch.*"],
        storage,
        max_msgs: 100,
        max_age: 60_000_000_000,
        allow_direct: true,
        allow_rollup_hdrs: true,
        description: "schema test",
        placement: { cluster: "c1" },
      });
      expect(create.did_create).toBe(true);
      expectValid("stream_create_response", create);
      for (let i = 0; i < 6; i++) await t.js.publish(`sch.${i % 2}`, `m${i}`);
      await t.jsm.streams.deleteMessage("SCH", 3);
      expectValid(
        "stream_update_response",
        await t.api("$JS.API.STREAM.UPDATE.SCH", {
          name: "SCH",
          subjects: ["sch.*", "more"],
          storage,
          max_msgs: 100,
        }),
      );
      const info = await t.api("$JS.API.STREAM.INFO.SCH", { deleted_details: true, subjects_filter: ">" });
      expect((info.state as { deleted: number[] }).deleted).toEqual([3]);
      expectValid("stream_info_response", info);
      expectValid("stream_info_response", await t.api("$JS.API.STREAM.INFO.SCH"));
      expectValid("stream_list_response", await t.api("$JS.API.STREAM.LIST"));
      expectValid("stream_names_response", await t.api("$JS.API.STREAM.NAMES", { subject: "sch.1" }));
      expectValid(
        "stream_purge_response",
        await t.api("$JS.API.STREAM.PURGE.SCH", { filter: "sch.0", keep: 1 }),
      );
      expectValid("account_info_response", await t.api("$JS.API.INFO"));
      expectValid("stream_delete_response", await t.api("$JS.API.STREAM.DELETE.SCH"));
    });

    it("message get and delete, success and errors", async () => {
      await t.api("$JS.API.STREAM.CREATE.MG", { name: "MG", subjects: ["mg"], storage });
      const h = headers();
      h.set("K", "v");
      await t.js.publish("mg", "with headers", { headers: h });
      await t.js.publish("mg", "");
      const withHeaders = await t.api("$JS.API.STREAM.MSG.GET.MG", { seq: 1 });
      expect(withHeaders.message).toMatchObject({ subject: "mg", seq: 1 });
      expectValid("stream_msg_get_response", withHeaders);
      const emptyPayload = await t.api("$JS.API.STREAM.MSG.GET.MG", { last_by_subj: "mg" });
      expect((emptyPayload.message as Record<string, unknown>).data).toBeUndefined();
      expectValid("stream_msg_get_response", emptyPayload);
      expectValid("stream_msg_get_response", await t.api("$JS.API.STREAM.MSG.GET.MG", { seq: 42 }));
      expectValid("stream_msg_delete_response", await t.api("$JS.API.STREAM.MSG.DELETE.MG", { seq: 1 }));
      expectValid("stream_msg_delete_response", await t.api("$JS.API.STREAM.MSG.DELETE.MG", { seq: 1 }));
    });

    it("error responses of every stream API", async () => {
      expectValid("stream_create_response", await t.api("$JS.API.STREAM.CREATE.E", "{"));
      expectValid(
        "stream_create_response",
        await t.api("$JS.API.STREAM.CREATE.E", { name: "E", num_replicas: 3 }),
      );
      expectValid("stream_update_response", await t.api("$JS.API.STREAM.UPDATE.E", { name: "E" }));
      expectValid("stream_info_response", await t.api("$JS.API.STREAM.INFO.E"));
      expectValid("stream_delete_response", await t.api("$JS.API.STREAM.DELETE.E"));
      expectValid("stream_purge_response", await t.api("$JS.API.STREAM.PURGE.E"));
      expectValid("stream_msg_get_response", await t.api("$JS.API.STREAM.MSG.GET.E", { seq: 1 }));
      expectValid("stream_msg_delete_response", await t.api("$JS.API.STREAM.MSG.DELETE.E", { seq: 1 }));
      // nats-server's LIST error also carries `"streams":[]`, which matches both of the schema's oneOf
      // branches; we send the same bytes as nats-server (checked in test/compat) rather than the schema's.
      const listError = await t.api("$JS.API.STREAM.LIST", "[1]");
      expect(validate(loadApiSchema("stream_list_response"), listError)).toEqual([
        "$: must match exactly one of oneOf (2 alternatives)",
      ]);
    });

    it("PubAcks: stored, duplicate and refused", async () => {
      await t.api("$JS.API.STREAM.CREATE.PA", { name: "PA", subjects: ["pa"], storage, max_msg_size: 64 });
      const id = headers();
      id.set("Nats-Msg-Id", "x");
      const stored = JSON.parse((await t.raw("pa", "1", id)).data);
      const dup = JSON.parse((await t.raw("pa", "1", id)).data);
      const refused = JSON.parse((await t.raw("pa", "x".repeat(65))).data);
      expect([stored.seq, dup.duplicate, refused.error?.err_code]).toEqual([1, true, 10054]);
      for (const ack of [stored, dup, refused]) expectValid("pub_ack_response", ack);
    });
  },
);
