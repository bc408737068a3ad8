// The message-get request (`{"seq"}`, `{"last_by_subj"}`, `{"next_by_subj", "seq"}`) shared by
// STREAM.MSG.GET and DIRECT.GET, and the StoredMsg JSON that MSG.GET answers with.

import { formatRfc3339Nano, type MessageStore, type StoredMessage } from "../storage/store.js";
import { asObject, readInt, readString } from "./go-json.js";

export interface MsgGetRequest {
  seq: number;
  lastBySubject: string;
  nextBySubject: string;
}

/** Reads JSApiMsgGetRequest; throws GoJsonError like Go's Unmarshal would. */
export function readMsgGetRequest(body: unknown): MsgGetRequest {
  const o = asObject(body);
  return {
    seq: readInt(o, "seq", "uint64") ?? 0,
    lastBySubject: readString(o, "last_by_subj") ?? "",
    nextBySubject: readString(o, "next_by_subj") ?? "",
  };
}

/** nats-server's request checks for MSG.GET: exactly one way to pick the message. */
export function isBadMsgGetRequest(req: MsgGetRequest): boolean {
  if (req.seq > 0 && req.lastBySubject !== "") return true;
  if (req.seq === 0 && req.lastBySubject === "" && req.nextBySubject === "") return true;
  return req.lastBySubject !== "" && req.nextBySubject !== "";
}

export function loadForGet(store: MessageStore, req: MsgGetRequest): StoredMessage | null {
  if (req.nextBySubject !== "") return store.loadNextMatching(req.seq, req.nextBySubject);
  if (req.seq > 0) return store.load(req.seq);
  return store.loadLastBySubject(req.lastBySubject);
}

/** StoredMsg: `hdrs` and `data` base64 and left out when empty (Go's omitempty on []byte). */
export function storedMsgJson(m: StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { subject: m.subject, seq: m.seq };
  if (m.headers !== null && m.headers.length > 0) out.hdrs = m.headers.toString("base64");
  if (m.payload.length > 0) out.data = m.payload.toString("base64");
  out.time = formatRfc3339Nano(m.ts, m.tsNanos);
  return out;
}
