// Nats-Msg-Id duplicate detection over a stream's duplicate_window: ids remembered with the
// sequence they were stored at, forgotten once older than the window (nats-server ddmap/ddarr).

/** nats-server never lets the purge timer fire sooner than this. */
const MIN_PURGE_DELAY_MS = 50;

interface Entry {
  seq: number;
  /** Arrival time in ms. */
  ts: number;
}

export class MsgIdWindow {
  /** Insertion order is arrival order, so the oldest entries are at the front. */
  private readonly ids = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /** The sequence a message with this id was stored at, if it is still inside the window. */
  lookup(id: string): number | undefined {
    const e = this.ids.get(id);
    if (e === undefined) return undefined;
    if (this.now() - e.ts >= this.windowMs) {
      this.ids.delete(id);
      return undefined;
    }
    return e.seq;
  }

  add(id: string, seq: number, ts: number = this.now()): void {
    this.ids.delete(id);
    this.ids.set(id, { seq, ts });
    if (this.timer === null) this.arm(this.windowMs);
  }

  setWindow(ms: number): void {
    if (ms === this.windowMs) return;
    this.windowMs = ms;
    this.purge();
  }

  clear(): void {
    this.ids.clear();
    this.disarm();
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(this.onTimer, Math.max(delayMs, MIN_PURGE_DELAY_MS));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.purge();
  };

  private purge(): void {
    this.disarm();
    const now = this.now();
    for (const [id, e] of this.ids) {
      const age = now - e.ts;
      if (age < this.windowMs) {
        this.arm(this.windowMs - age);
        return;
      }
      this.ids.delete(id);
    }
  }
}
