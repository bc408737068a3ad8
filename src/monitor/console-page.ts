// The pages served as HTML from the monitoring port: nats-server's link index at "/" and natsgate's live
// web console at "/console", a single self-contained page that polls the JSON endpoints (no build step).

import { NATS_SERVER_COMPAT_VERSION, NATSGATE_VERSION } from "../version.js";

const LINKS: [string, string][] = [
  ["General", "varz"],
  ["JetStream", "jsz"],
  ["Connections", "connz"],
  ["Accounts", "accountz"],
  ["Account Stats", "accstatz"],
  ["Subscriptions", "subsz"],
  ["Routes", "routez"],
  ["LeafNodes", "leafz"],
  ["Gateways", "gatewayz"],
  ["Health Probe", "healthz"],
  ["Prometheus Metrics", "metrics"],
  ["Web Console", "console"],
];

/** "/": the endpoint index nats-server serves, with natsgate's additions. */
export function rootPage(): string {
  const links = LINKS.map(([label, path]) => `<a href="./${path}">${label}</a>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>natsgate</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}a{display:block;padding:.2rem 0;color:#334;text-decoration:none}
a:hover{color:#3b32ca;font-weight:600}.v{color:#667;font-size:.9rem}</style></head>
<body><h1>natsgate</h1><p class="v">natsgate v${NATSGATE_VERSION} &middot; nats-server ${NATS_SERVER_COMPAT_VERSION} compatible</p>
${links}
<a href="https://docs.nats.io/running-a-nats-service/nats_admin/monitoring">Help</a>
</body></html>
`;
}

/**
 * "/console": live overview, connections by protocol, subjects with rates, streams and consumers, and a
 * live tail of a subject. The tail is a NATS client of the server over its WebSocket listener (so it
 * passes auth and permissions like any client); `/console?tail=<subject>` starts one at once.
 */
export function consolePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>natsgate console</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${CSS}</style></head>
<body>
<header><h1>natsgate console</h1><span id="ident"></span><span id="status">connecting…</span></header>
<section id="overview" class="cards"></section>
<h2>Connections by protocol</h2><section id="protocols" class="cards"></section>
<h2>Connections</h2><table id="connections"></table>
<h2>Subjects</h2><table id="subjects"></table>
<h2>Streams</h2><table id="streams"></table>
<h2>Consumers</h2><table id="consumers"></table>
<h2>Message tail</h2>
<form id="tail-form"><input id="tail-subject" placeholder="subject, e.g. orders.>" size="30">
<input id="tail-user" placeholder="user" size="10"><input id="tail-pass" type="password" placeholder="password" size="10">
<input id="tail-token" type="password" placeholder="token" size="10"><button>Tail</button>
<span id="tail-status"></span></form>
<table id="tail"></table>
<script>${SCRIPT}${TAIL_SCRIPT}</script>
</body></html>
`;
}

const CSS = `body{font-family:system-ui,sans-serif;margin:0 1.5rem 2rem;color:#223}
header{display:flex;gap:1rem;align-items:baseline;border-bottom:1px solid #ccd;padding:.5rem 0}
header h1{font-size:1.3rem;margin:0}#ident{color:#667}#status{margin-left:auto;color:#667;font-size:.85rem}
h2{font-size:1rem;margin:1.2rem 0 .4rem}.cards{display:flex;flex-wrap:wrap;gap:.6rem}
.card{border:1px solid #dde;border-radius:6px;padding:.4rem .7rem;min-width:7rem}
.card b{display:block;font-size:1.2rem}.card span{color:#667;font-size:.8rem}
table{border-collapse:collapse;font-size:.85rem;min-width:50%}th,td{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eef}
th{color:#556;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#889}
form{display:flex;gap:.4rem;align-items:center;margin-bottom:.5rem}#tail-status{color:#667;font-size:.85rem}
#tail td:last-child{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}`;

// Runs in the browser. Everything from the server is inserted as text (never as HTML): client names,
// subjects and stream names come from clients.
const SCRIPT = `"use strict";
const POLL_MS = 2000;
let last = null;
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
const fmt = (n) => typeof n === "number" ? (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(1)) : (n ?? "");
const bytes = (n) => { const u = ["B","KiB","MiB","GiB","TiB"]; let i = 0; while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; } return (i ? n.toFixed(1) : n) + " " + u[i]; };
function cards(id, items) {
  const box = document.getElementById(id); box.replaceChildren();
  for (const [label, value] of items) { const c = el("div", undefined, "card"); c.append(el("b", value), el("span", label)); box.append(c); }
}
function table(id, head, rows) {
  const t = document.getElementById(id); t.replaceChildren();
  const tr = el("tr"); for (const h of head) tr.append(el("th", h)); t.append(tr);
  if (rows.length === 0) { const r = el("tr"); const d = el("td", "none", "empty"); d.colSpan = head.length; r.append(d); t.append(r); return; }
  for (const row of rows) { const r = el("tr"); for (const v of row) r.append(el("td", typeof v === "number" ? fmt(v) : v, typeof v === "number" ? "n" : "")); t.append(r); }
}
async function get(path) { const r = await fetch(path, { cache: "no-store" }); if (!r.ok) throw new Error(path + ": " + r.status); return r.json(); }
function rate(now, prev, key, dt) { return prev && dt > 0 ? Math.max(0, (now[key] - prev[key]) / dt) : 0; }
async function poll() {
  try {
    const [varz, connz, subsz, jsz] = await Promise.all([get("varz"), get("connz?subs=1"), get("subsz?subs=1&limit=10000"), get("jsz?consumers=1")]);
    const t = Date.now(); const dt = last ? (t - last.t) / 1000 : 0;
    document.getElementById("ident").textContent = varz.server_name + " · natsgate " + (varz.natsgate_version ?? "") + " · up " + varz.uptime;
    cards("overview", [
      ["connections", fmt(varz.connections)], ["total connections", fmt(varz.total_connections)],
      ["subscriptions", fmt(varz.subscriptions)], ["msgs in/s", fmt(rate(varz, last?.varz, "in_msgs", dt))],
      ["msgs out/s", fmt(rate(varz, last?.varz, "out_msgs", dt))], ["in", bytes(varz.in_bytes)], ["out", bytes(varz.out_bytes)],
      ["slow consumers", fmt(varz.slow_consumers)], ["memory", bytes(varz.mem)], ["cpu %", fmt(varz.cpu)],
    ]);
    const conns = connz.connections ?? [];
    const byType = { nats: 0, websocket: 0, mqtt: 0 };
    for (const c of conns) byType[c.type] = (byType[c.type] ?? 0) + 1;
    cards("protocols", Object.entries(byType));
    table("connections", ["cid", "type", "name", "lang", "version", "address", "uptime", "subs", "msgs in", "msgs out", "pending"],
      conns.map((c) => [c.cid, c.type, c.name ?? "", c.lang ?? "", c.version ?? "", c.ip + ":" + c.port, c.uptime, c.subscriptions, c.in_msgs, c.out_msgs, c.pending_bytes]));
    const subjects = new Map();
    const clientCids = new Set(conns.map((c) => c.cid));
    // Only clients' interest: the server's own subscriptions (JetStream, $SYS services) are left out.
    for (const s of (subsz.subscriptions_list ?? []).filter((x) => clientCids.has(x.cid))) {
      const e = subjects.get(s.subject) ?? { subs: 0, msgs: 0 }; e.subs++; e.msgs += s.msgs; subjects.set(s.subject, e);
    }
    const prevSubjects = last?.subjects ?? new Map();
    table("subjects", ["subject", "subscriptions", "msgs delivered", "msgs/s"],
      [...subjects].sort((a, b) => b[1].msgs - a[1].msgs).slice(0, 200)
        .map(([s, e]) => [s, e.subs, e.msgs, dt > 0 && prevSubjects.has(s) ? Math.max(0, (e.msgs - prevSubjects.get(s).msgs) / dt) : 0]));
    const streams = []; const consumers = [];
    for (const a of jsz.account_details ?? []) for (const s of a.stream_detail ?? []) {
      streams.push([a.name, s.name, s.state.messages, bytes(s.state.bytes), s.state.first_seq, s.state.last_seq, s.state.consumer_count]);
      for (const c of s.consumer_detail ?? []) consumers.push([s.name, c.name, c.delivered.stream_seq, c.ack_floor.stream_seq, c.num_pending, c.num_ack_pending, c.num_redelivered, c.num_waiting]);
    }
    table("streams", ["account", "stream", "messages", "bytes", "first seq", "last seq", "consumers"], jsz.disabled ? [] : streams);
    table("consumers", ["stream", "consumer", "delivered", "ack floor", "pending", "ack pending", "redelivered", "waiting"], consumers);
    document.getElementById("status").textContent = jsz.disabled ? "JetStream off · updated " + new Date().toLocaleTimeString() : "updated " + new Date().toLocaleTimeString();
    last = { t, varz, subjects };
    window.natsgateVarz = varz;
  } catch (err) {
    document.getElementById("status").textContent = "error: " + err.message;
  }
  setTimeout(poll, POLL_MS);
}
poll();`;

// The live tail: a minimal NATS client over WebSocket (CONNECT, SUB, PING/PONG, MSG/HMSG framing by byte
// counts), keeping the last MAX_TAIL messages. Runs in the browser; payloads are shown as text.
const TAIL_SCRIPT = `
const MAX_TAIL = 100;
let tailSocket = null;
const enc = new TextEncoder(); const dec = new TextDecoder();
function tailStatus(text) { document.getElementById("tail-status").textContent = text; }
function tailRow(subject, size, text) {
  const t = document.getElementById("tail");
  if (t.rows.length === 0) { const h = el("tr"); for (const c of ["time", "subject", "bytes", "payload"]) h.append(el("th", c)); t.append(h); }
  const r = el("tr"); r.append(el("td", new Date().toLocaleTimeString()), el("td", subject), el("td", size, "n"), el("td", text.length > 300 ? text.slice(0, 300) + "…" : text));
  t.rows[0].after(r);
  while (t.rows.length > MAX_TAIL + 1) t.deleteRow(t.rows.length - 1);
}
function startTail(subject, auth) {
  if (tailSocket) tailSocket.close();
  const ws = (window.natsgateVarz || {}).websocket || {};
  if (!ws.port) { tailStatus("the server has no websocket listener: configure websocket { } to tail messages"); return; }
  const url = (ws.no_tls ? "ws://" : "wss://") + location.hostname + ":" + ws.port;
  const sock = new WebSocket(url); sock.binaryType = "arraybuffer"; tailSocket = sock;
  let buf = new Uint8Array(0); let pending = null;
  const send = (text) => sock.send(enc.encode(text));
  sock.onopen = () => tailStatus("connecting to " + url);
  sock.onclose = () => { if (tailSocket === sock) tailStatus("tail closed"); };
  sock.onmessage = (ev) => {
    const chunk = new Uint8Array(ev.data); const next = new Uint8Array(buf.length + chunk.length);
    next.set(buf); next.set(chunk, buf.length); buf = next;
    for (;;) {
      if (pending) {
        if (buf.length < pending.total + 2) return;
        const body = buf.subarray(pending.hdr, pending.total);
        tailRow(pending.subject, body.length, dec.decode(body)); buf = buf.subarray(pending.total + 2); pending = null; continue;
      }
      let end = -1; for (let i = 0; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) { end = i; break; }
      if (end < 0) return;
      const line = dec.decode(buf.subarray(0, end)); buf = buf.subarray(end + 2);
      const parts = line.split(" "); const op = parts[0].toUpperCase();
      if (op === "INFO") {
        const opts = { verbose: false, pedantic: false, lang: "natsgate-console", version: "1", protocol: 1, headers: true, name: "natsgate console tail", ...auth };
        send("CONNECT " + JSON.stringify(opts) + "\\r\\nSUB " + subject + " 1\\r\\nPING\\r\\n");
      } else if (op === "PING") send("PONG\\r\\n");
      else if (op === "PONG") tailStatus("tailing " + subject);
      else if (op === "-ERR") tailStatus("server: " + line.slice(5));
      else if (op === "MSG") pending = { subject: parts[1], hdr: 0, total: Number(parts[parts.length - 1]) };
      else if (op === "HMSG") pending = { subject: parts[1], hdr: Number(parts[parts.length - 2]), total: Number(parts[parts.length - 1]) };
    }
  };
}
document.getElementById("tail-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const subject = document.getElementById("tail-subject").value.trim(); if (!subject) return;
  const auth = {}; const user = document.getElementById("tail-user").value; const pass = document.getElementById("tail-pass").value;
  const token = document.getElementById("tail-token").value;
  if (user) { auth.user = user; auth.pass = pass; } if (token) auth.auth_token = token;
  startTail(subject, auth);
});
const preset = new URLSearchParams(location.search).get("tail");
if (preset) {
  document.getElementById("tail-subject").value = preset;
  const wait = () => (window.natsgateVarz ? startTail(preset, {}) : setTimeout(wait, 100)); wait();
}
`;
