// Message bodies and headers for pub, sub, req and reply: header flags, body templates, and printed messages.

import { randomInt } from "node:crypto";
import { type MsgHdrs, headers as makeHeaders, nuid } from "@nats-io/transport-node";
import { CliError } from "./cli-error.js";

/** `-H key:value` flags into message headers (undefined when none). */
export function headersFromFlags(list: string[] | undefined): MsgHdrs | undefined {
  if (!list || list.length === 0) return undefined;
  const h = makeHeaders();
  for (const item of list) {
    const i = item.indexOf(":");
    if (i <= 0) throw new CliError(`invalid header '${item}': expected key:value`);
    h.append(item.slice(0, i).trim(), item.slice(i + 1).trim());
  }
  return h;
}

export function collectRepeat(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Renders the nats CLI's body templates: {{Count}}/{{.Count}}, {{Time}}/{{.Time}}, {{TimeStamp}},
 * {{Unix}}, {{UnixNano}}, {{ID}}, {{Random min max}}, and {{.Request}} for replies.
 */
export function renderTemplate(body: string, count: number, request = ""): string {
  if (!body.includes("{{")) return body;
  const now = new Date();
  return body.replace(/\{\{\s*\.?(\w+)((?:\s+-?\d+)*)\s*\}\}/g, (whole, name: string, args: string) => {
    const nums = args.trim() === "" ? [] : args.trim().split(/\s+/).map(Number);
    switch (name) {
      case "Count":
        return String(count);
      case "Cnt":
        return String(count);
      case "Time":
        return now.toTimeString().slice(0, 8);
      case "TimeStamp":
        return now.toISOString();
      case "Unix":
        return String(Math.floor(now.getTime() / 1000));
      case "UnixNano":
        return `${now.getTime()}000000`;
      case "ID":
        return nuid.next();
      case "Request":
        return request;
      case "Random": {
        const [min = 0, max = min + 100] = nums;
        return String(randomInt(min, Math.max(min + 1, max)));
      }
      default:
        return whole;
    }
  });
}

/** Headers as the nats CLI prints them, one `Key: value` line each, then a blank line. */
export function renderHeaders(h: MsgHdrs | undefined): string {
  if (!h || h.keys().length === 0) return "";
  const lines: string[] = [];
  for (const k of h.keys()) for (const v of h.values(k)) lines.push(`${k}: ${v}`);
  return `${lines.join("\n")}\n\n`;
}

/** hh:mm:ss, the nats CLI's log prefix. */
export function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}
