// Deleting a consumer nobody uses (nats-server updateInactiveThreshold, deleteNotActive, suppressDeletion):
// a push consumer without a subscriber, or a pull consumer without requests, for inactive_threshold.

import type { Consumer } from "./consumer.js";
import type { ConsumerConfig } from "./consumer-config.js";

/** How long a consumer may be inactive before it is deleted, in ms; 0 = never. */
export function inactiveThresholdMs(cfg: ConsumerConfig, push: boolean): number {
  const t = cfg.inactive_threshold ?? 0;
  if (t <= 0) return 0;
  const ms = Math.ceil(t / 1_000_000);
  // Pull consumers get 100ms..1s of jitter, as nats-server adds.
  const jitter = push ? 0 : 100 + Math.floor(Math.random() * 900);
  return ms + jitter;
}

/** One delete timer per consumer. */
export class InactivityTimer {
  /** The threshold with jitter, in ms (nats-server dthresh); 0 = never deleted for inactivity. */
  threshold = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: Consumer) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** (Re)reads the config: pull consumers always run the timer, push ones only while unbound. */
  configure(): void {
    this.threshold = inactiveThresholdMs(this.o.config, this.o.isPush);
    this.clear();
    if (this.threshold > 0 && (!this.o.isPush || !this.o.active)) this.arm(this.threshold);
  }

  arm(ms: number): void {
    this.clear();
    this.timer = setTimeout(() => this.fire(), Math.max(1, ms));
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Ack activity keeps a consumer with an inactivity threshold alive (suppressDeletion). */
  activity(): void {
    const o = this.o;
    if ((o.config.inactive_threshold ?? 0) <= 0 || o.closed) return;
    if (o.isPush) {
      if (this.timer !== null) this.arm(this.threshold);
    } else if (o.pull !== null) {
      o.pull.waiting.last = o.env.now();
    }
  }

  /** deleteNotActive */
  private fire(): void {
    this.timer = null;
    const o = this.o;
    if (o.closed) return;
    if (o.isPush) {
      if (o.active) return;
    } else {
      const pull = o.pull!;
      const elapsed = o.env.now() - pull.waiting.last;
      if (elapsed <= Math.ceil((o.config.inactive_threshold ?? 0) / 1_000_000)) {
        this.arm(this.threshold - elapsed);
        return;
      }
      pull.process(true);
      if (pull.waiting.length > 0) {
        this.arm(this.threshold);
        return;
      }
    }
    o.env.onInactive(o);
  }
}
