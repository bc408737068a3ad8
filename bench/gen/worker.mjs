// Load-generator process: receives one round's job over IPC, runs it against the server and
// sends back the measurement (or the reason it failed). Always exits by the job's deadline.
import { runFlow } from "./flow.mjs";
import { runIdleConnections } from "./idle-connections.mjs";
import { runRequestReply } from "./request-reply.mjs";

const RUNNERS = { flow: runFlow, "request-reply": runRequestReply, idle: runIdleConnections };

function finish(result) {
  process.send(result, () => process.exit(0));
}

process.once("message", (job) => {
  const status = { progress: () => "not started" };
  const deadline = setTimeout(() => {
    finish({ ok: false, error: `timed out after ${job.timeoutMs / 1000}s (${status.progress()})` });
  }, job.timeoutMs);
  const runner = RUNNERS[job.kind];
  if (runner === undefined) {
    finish({ ok: false, error: `unknown job kind ${job.kind}` });
    return;
  }
  runner(job, status).then(
    (measured) => {
      clearTimeout(deadline);
      finish({ ok: true, ...measured });
    },
    (err) => {
      clearTimeout(deadline);
      finish({ ok: false, error: `${err.message} (${status.progress()})` });
    },
  );
});
