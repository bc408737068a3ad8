// Reads per-process CPU time and resident memory from /proc (Linux only), so the bench can say
// which process was CPU-bound and how much memory a server spent per connection.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Kernel clock ticks per second (USER_HZ) used by /proc/<pid>/stat; 100 on practically all
 * Linux. Spawns getconf, so callers look it up once and pass it on.
 */
export function clockTicks() {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime+stime of a process in seconds, or NaN if it cannot be read (process gone, not Linux). */
export function cpuSeconds(pid, ticks) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // comm (field 2) may contain spaces and parentheses: fields are counted after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After comm, index 0 is field 3 (state); utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return Number.NaN;
  }
}

/** A VmRSS / VmHWM style line of /proc/<pid>/status in KiB, or NaN. */
export function statusKb(pid, key) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export function rssKb(pid) {
  return statusKb(pid, "VmRSS");
}

/**
 * Busy seconds (user + nice + system, not irq/softirq/idle) of one CPU since boot, or NaN. With
 * pinned processes, a CPU's busy time minus its process's own CPU time is load from others.
 */
export function cpuBusySeconds(cpu, ticks) {
  try {
    const line = readFileSync("/proc/stat", "latin1")
      .split("\n")
      .find((l) => l.startsWith(`cpu${cpu} `));
    const f = line.trim().split(/\s+/).map(Number);
    return (f[1] + f[2] + f[3]) / ticks;
  } catch {
    return Number.NaN;
  }
}
