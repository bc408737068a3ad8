// The outbound side of one connection: frames queued during an event-loop turn go to the transport in
// one write at the end of it, and a write that stays stuck past write_deadline is reported as a stall.

import type { Transport } from "../../core/transport.js";
import { OutboundBuffer } from "../../util/outbound-buffer.js";

/** Node timers overflow past 2^31-1 ms (they fire at once): cap long durations from configs instead. */
export function timerMs(ms: number): number {
  return Math.max(1, Math.min(ms, 2 ** 31 - 1));
}

export class OutboundWriter {
  readonly out = new OutboundBuffer();
  /** Bytes the transport had not sent at the last flush or drain. */
  socketPending = 0;
  private scheduled = false;
  private stopped = false;
  private stallTimer: NodeJS.Timeout | null = null;
  private readonly flushNow = () => this.flush();

  constructor(
    private readonly transport: Transport,
    private readonly writeDeadlineMs: () => number,
    /** Called when the transport has not drained within write_deadline. */
    private readonly onStall: () => void,
  ) {}

  /** Bytes queued here plus those still in the transport: compared with max_pending. */
  get pending(): number {
    return this.out.pending + this.socketPending;
  }

  /** Flushes at the end of this turn (once, however many frames are queued meanwhile). */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    process.nextTick(this.flushNow);
  }

  flush(): void {
    this.scheduled = false;
    if (this.stopped || this.out.pending === 0) return;
    this.transport.write(this.out.take());
    this.socketPending = this.transport.bufferedBytes;
    if (this.socketPending > 0 && this.stallTimer === null) {
      this.stallTimer = setTimeout(() => {
        this.stallTimer = null;
        if (!this.stopped && this.transport.bufferedBytes > 0) this.onStall();
      }, timerMs(this.writeDeadlineMs()));
    }
  }

  onDrain(): void {
    this.socketPending = this.transport.bufferedBytes;
    if (this.stallTimer !== null && this.socketPending === 0) {
      clearTimeout(this.stallTimer);
      this.stallTimer = null;
    }
  }

  /** Stops for good: writes what is queued unless `discard`, then drops everything. */
  stop(discard: boolean): void {
    if (this.stopped) return;
    if (!discard && this.out.pending > 0) this.transport.write(this.out.take());
    this.stopped = true;
    if (this.stallTimer !== null) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.out.clear();
  }
}
