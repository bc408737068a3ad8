// Load generator for the JetStream publish benchmark (bench/jetstream-publish.mjs): raw NATS over
// one TCP socket, publishes to a stream with a reply subject and counts PubAcks, either one at a time
// (sync: latency-bound) or with a window of outstanding acks (async). Runs as a child process: gets
// the job over IPC, sends back the measurement.
import net from "node:net";
import { performance } from "node:perf_hooks";
import { Window } from "./gen/measure.mjs";

const INBOX = "_INBOX.jsbench";
const CRLF = Buffer.from("\r\n");

/** A NATS connection that hands every MSG payload (as a string) to `onMsg`. */
class Conn {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.onMsg = () => {};
    this.pongs = [];
    sock.on("data", (d) => this.read(d));
  }

  static open(host, port) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      sock.setNoDelay(true);
      sock.once("error", reject);
      sock.once("connect", () => resolve(new Conn(sock)));
    });
  }

  read(d) {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      const eol = this.buf.indexOf(CRLF);
      if (eol < 0) return;
      const line = this.buf.toString("latin1", 0, eol);
      if (line.startsWith("MSG ")) {
        const parts = line.split(" ");
        const len = Number(parts[parts.length - 1]);
        if (this.buf.length < eol + 2 + len + 2) return;
        const payload = this.buf.toString("utf8", eol + 2, eol + 2 + len);
        this.buf = this.buf.subarray(eol + 2 + len + 2);
        this.onMsg(parts[1], payload);
        continue;
      }
      this.buf = this.buf.subarray(eol + 2);
      if (line === "PING") this.sock.write("PONG\r\n");
      else if (line === "PONG") this.pongs.shift()?.();
      else if (line.startsWith("-ERR")) throw new Error(`server error: ${line}`);
    }
  }

  write(data) {
    return this.sock.write(data);
  }

  ping() {
    return new Promise((resolve) => {
      this.pongs.push(resolve);
      this.sock.write("PING\r\n");
    });
  }

  /** One request on the API inbox; resolves with the reply payload. */
  request(subject, body) {
    return new Promise((resolve) => {
      const prev = this.onMsg;
      this.onMsg = (subj, payload) => {
        if (subj !== `${INBOX}.api`) return;
        this.onMsg = prev;
        resolve(payload);
      };
      this.write(`PUB ${subject} ${INBOX}.api ${Buffer.byteLength(body)}\r\n${body}\r\n`);
    });
  }

  close() {
    this.sock.destroy();
  }
}

function pubFrame(subject, reply, payload) {
  return Buffer.concat([Buffer.from(`PUB ${subject} ${reply} ${payload.length}\r\n`), payload, CRLF]);
}

async function setupStream(conn, storage) {
  await conn.request("$JS.API.STREAM.DELETE.BENCH", "");
  const created = JSON.parse(
    await conn.request(
      "$JS.API.STREAM.CREATE.BENCH",
      JSON.stringify({ name: "BENCH", subjects: ["bench.js"], storage }),
    ),
  );
  if (created.error) throw new Error(`stream create failed: ${created.error.description}`);
}

/**
 * Publishes `messages` with at most `window` acks outstanding (window 1 = sync publish). Every
 * message gets its own reply subject; an ack must be a PubAck without an error.
 */
function publish(conn, job, status) {
  const payload = Buffer.alloc(job.payloadSize, "x");
  const frames = [];
  for (let i = 0; i < job.messages; i++) frames.push(pubFrame("bench.js", `${INBOX}.${i}`, payload));
  const sentAt = new Float64Array(job.messages);
  const latencies = job.window === 1 ? new Float64Array(job.messages) : null;
  let next = 0;
  let acked = 0;
  status.progress = () => `${acked}/${job.messages} acked, ${next} sent`;
  return new Promise((resolve, reject) => {
    const send = () => {
      const limit = Math.min(job.messages, acked + job.window);
      if (next >= limit) return;
      const batch = [];
      const now = performance.now();
      for (; next < limit; next++) {
        sentAt[next] = now;
        batch.push(frames[next]);
      }
      conn.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
    };
    conn.onMsg = (subject, body) => {
      if (!body.startsWith('{"stream"')) {
        reject(new Error(`bad ack for ${subject}: ${body}`));
        return;
      }
      const i = Number(subject.slice(INBOX.length + 1));
      if (latencies !== null) latencies[i] = performance.now() - sentAt[i];
      acked++;
      if (acked === job.messages) resolve(latencies);
      else send();
    };
    send();
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function run(job, status) {
  const conn = await Conn.open(job.host, job.port);
  try {
    conn.write(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n`);
    conn.write(`SUB ${INBOX}.* 1\r\n`);
    await conn.ping();
    await setupStream(conn, job.storage);
    const window = new Window(job);
    window.start();
    const latencies = await publish(conn, job, status);
    const measured = window.stop();
    const out = { ...measured, published: job.messages };
    if (latencies !== null) {
      const sorted = Array.from(latencies).sort((a, b) => a - b);
      out.p50Us = percentile(sorted, 0.5) * 1000;
      out.p99Us = percentile(sorted, 0.99) * 1000;
    }
    return out;
  } finally {
    conn.close();
  }
}

process.once("message", (job) => {
  const status = { progress: () => "not started" };
  const finish = (result) => process.send(result, () => process.exit(0));
  const deadline = setTimeout(
    () => finish({ ok: false, error: `timed out after ${job.timeoutMs / 1000}s (${status.progress()})` }),
    job.timeoutMs,
  );
  run(job, status).then(
    (r) => {
      clearTimeout(deadline);
      finish({ ok: true, ...r });
    },
    (err) => {
      clearTimeout(deadline);
      finish({ ok: false, error: `${err.message} (${status.progress()})` });
    },
  );
});
