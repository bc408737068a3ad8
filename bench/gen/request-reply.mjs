// Request/reply latency: one requester sends a request, waits for the reply, sends the next; a
// responder answers on the request's reply subject. Round trips are timed one by one.
import { Window } from "./measure.mjs";
import { connect, encodePub, makePayload } from "./wire.mjs";

const REQUEST_SUBJECT = "bench.req";
const REPLY_SUBJECT = "bench.reply";

/** Value at quantile q (0..1) of an ascending array, nearest-rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Responder: parses the reply subject from each MSG line and publishes the answer there. */
async function openResponder(job, payload) {
  const frames = new Map();
  let conn = null;
  const onMsg = (line) => {
    const parts = line.split(" ");
    // MSG <subject> <sid> [reply] <size>: the reply is present only in the 5-token form.
    if (parts.length !== 5) return;
    const reply = parts[3];
    let frame = frames.get(reply);
    if (frame === undefined) {
      frame = encodePub(reply, payload);
      frames.set(reply, frame);
    }
    conn.write(frame);
  };
  conn = await connect(job.port, job.host, "bench-responder", onMsg);
  conn.write(Buffer.from(`SUB ${REQUEST_SUBJECT} 1\r\n`));
  await conn.flush();
  return conn;
}

/** Sends `count` sequential requests; resolves with the latencies in microseconds. */
function roundTrips(requester, request, count) {
  const latUs = new Float64Array(count);
  let k = 0;
  let sentAt = 0n;
  return new Promise((resolve, reject) => {
    requester.onReply = () => {
      latUs[k++] = Number(process.hrtime.bigint() - sentAt) / 1000;
      if (k === count) {
        resolve(latUs);
        return;
      }
      sentAt = process.hrtime.bigint();
      requester.conn.write(request);
    };
    requester.onFail = reject;
    sentAt = process.hrtime.bigint();
    requester.conn.write(request);
  });
}

export async function runRequestReply(job, status) {
  const payload = makePayload(job.payloadSize);
  const responder = await openResponder(job, payload);
  const requester = { conn: null, onReply: () => {}, onFail: () => {} };
  requester.conn = await connect(job.port, job.host, "bench-requester", () => requester.onReply());
  requester.conn.write(Buffer.from(`SUB ${REPLY_SUBJECT} 1\r\n`));
  await requester.conn.flush();
  for (const conn of [responder, requester.conn]) {
    conn.socket.once("close", () => requester.onFail(new Error(conn.closeReason)));
  }
  status.progress = () => `${requester.conn.reader.count}/${job.requests} replies`;

  const request = encodePub(REQUEST_SUBJECT, payload, REPLY_SUBJECT);
  const window = new Window(job);
  window.start();
  const latUs = await roundTrips(requester, request, job.requests);
  const measured = window.stop();
  responder.close();
  requester.conn.close();
  const sorted = Array.from(latUs).sort((a, b) => a - b);
  return {
    ...measured,
    requests: job.requests,
    p50Us: quantile(sorted, 0.5),
    p90Us: quantile(sorted, 0.9),
    p99Us: quantile(sorted, 0.99),
    maxUs: sorted[sorted.length - 1],
  };
}
