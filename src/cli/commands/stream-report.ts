// `stream report`: one table row per stream with storage, consumers, messages, bytes, lost and deleted counts.

import type { StreamInfo } from "@nats-io/jetstream";
import type { Command } from "commander";
import { comma, formatIBytes } from "./byte-size.js";
import { renderTable, toJson } from "./output.js";
import { withSession } from "./session.js";

interface ReportOptions {
  subject?: string;
  consumers?: boolean;
  messages?: boolean;
  name?: boolean;
  storage?: boolean;
  raw?: boolean;
  json?: boolean;
}

function sortInfos(infos: StreamInfo[], o: ReportOptions): void {
  infos.sort((a, b) => {
    if (o.name) return a.config.name.localeCompare(b.config.name);
    if (o.consumers) return a.state.consumer_count - b.state.consumer_count;
    if (o.messages) return a.state.messages - b.state.messages;
    if (o.storage) return String(a.config.storage).localeCompare(String(b.config.storage));
    return a.state.bytes - b.state.bytes;
  });
}

export function registerStreamReport(stream: Command): void {
  stream
    .command("report")
    .description("Reports on stream statistics")
    .option("--subject <subject>", "Limit the report to streams with matching subjects")
    .option("-o, --consumers", "Sort by number of Consumers")
    .option("-m, --messages", "Sort by number of Messages")
    .option("-n, --name", "Sort by stream name")
    .option("-t, --storage", "Sort by Storage type")
    .option("-r, --raw", "Show un-formatted numbers")
    .option("-j, --json", "Produce JSON output")
    .action(async (o: ReportOptions, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const infos: StreamInfo[] = [];
        for await (const si of (await s.jsm()).streams.list(o.subject)) infos.push(si);
        sortInfos(infos, o);
        if (o.json) {
          const rows = infos.map((si) => ({
            name: si.config.name,
            storage: si.config.storage,
            consumers: si.state.consumer_count,
            msgs: si.state.messages,
            bytes: si.state.bytes,
            lost: si.state.lost?.msgs?.length ?? 0,
            deleted: si.state.num_deleted ?? 0,
            replicas: si.config.num_replicas,
          }));
          return s.out.out(toJson(rows));
        }
        if (infos.length === 0) return s.out.out("No Streams defined\n");
        const num = (n: number) => (o.raw ? String(n) : comma(n));
        const rows = infos.map((si) => [
          si.config.name,
          si.config.storage === "memory" ? "Memory" : "File",
          "",
          num(si.state.consumer_count),
          num(si.state.messages),
          o.raw ? String(si.state.bytes) : formatIBytes(si.state.bytes),
          num(si.state.lost?.msgs?.length ?? 0),
          num(si.state.num_deleted ?? 0),
          "",
        ]);
        const headers = [
          "Stream",
          "Storage",
          "Placement",
          "Consumers",
          "Messages",
          "Bytes",
          "Lost",
          "Deleted",
          "Replicas",
        ];
        s.out.out(renderTable("Stream Report", headers, rows));
      });
    });
}
