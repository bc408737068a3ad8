// CPU accounting for one measured window: the generator's own CPU (process.cpuUsage, all its
// threads) and the server's (from /proc), sampled at the same instants as the wall clock.
import { performance } from "node:perf_hooks";
import { cpuBusySeconds, cpuSeconds } from "../lib/proc-stats.mjs";

export class Window {
  /** `job.pinning` = { server, generator } CPU numbers, or nulls when not pinned. */
  constructor(job) {
    this.serverPid = job.serverPid;
    this.ticks = job.ticks;
    this.pinning = job.pinning;
  }

  start() {
    this.genCpu0 = process.cpuUsage();
    this.serverCpu0 = cpuSeconds(this.serverPid, this.ticks);
    this.serverCore0 = this.coreBusy(this.pinning.server);
    this.genCore0 = this.coreBusy(this.pinning.generator);
    this.t0 = performance.now();
  }

  coreBusy(cpu) {
    return cpu === null ? Number.NaN : cpuBusySeconds(cpu, this.ticks);
  }

  /** Closes the window; `endMs` lets the caller use the instant the last message was counted. */
  stop(endMs = performance.now()) {
    const wallSec = (endMs - this.t0) / 1000;
    const gen = process.cpuUsage(this.genCpu0);
    const genCpuSec = (gen.user + gen.system) / 1e6;
    const serverCpuSec = cpuSeconds(this.serverPid, this.ticks) - this.serverCpu0;
    // Other processes on the pinned cores (a shared machine) make a round unrepresentative.
    const otherOnServerCoreSec = this.coreBusy(this.pinning.server) - this.serverCore0 - serverCpuSec;
    const otherOnGenCoreSec = this.coreBusy(this.pinning.generator) - this.genCore0 - genCpuSec;
    return { wallSec, genCpuSec, serverCpuSec, otherOnServerCoreSec, otherOnGenCoreSec };
  }
}
