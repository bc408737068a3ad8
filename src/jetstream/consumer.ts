// One JetStream consumer (nats-server consumer.go): picks messages from its stream (start position,
// filters, redeliveries, last-per-subject skip list), delivers them to a deliver subject (push) or to
// waiting pull requests, and tracks acknowledgements. Driven by stream events, acks and requests; one
// delivery loop per consumer, run as a microtask when something changed.

import type { Subscription } from "../core/subscription.js";
import { ackReplyPrefix, ackSubscriptionSubject } from "./ack.js";
import { AckState } from "./ack-tracker.js";
import { type Advisory, consumerActionAdvisory } from "./advisories.js";
import { ConsumerAcks } from "./consumer-acks.js";
import {
  type ConsumerConfig,
  describeDuration,
  isDurableConfig,
  isPushConfig,
  type TimePoint,
} from "./consumer-config.js";
import {
  deliverAs,
  FLOW_CONTROL_PREFIX,
  FlowControl,
  IdleHeartbeat,
  RateLimiter,
} from "./consumer-delivery.js";
import type { ConsumerEnv } from "./consumer-env.js";
import { filtersNarrowStream, purgeAffectsFilters } from "./consumer-filters.js";
import { InactivityTimer, inactiveThresholdMs } from "./consumer-inactivity.js";
import { type ConsumerInfoJson, consumerInfo } from "./consumer-info.js";
import { idleHeartbeatHeaders, PullRequests, pullLimitsOf, STATUS_PUSH_BASED } from "./consumer-pull.js";
import { type Candidate, MessageSelector, STALLED } from "./consumer-select.js";
import { selectStart } from "./consumer-start.js";
import {
  type ConsumerStateStore,
  type PersistedConsumerState,
  restoreState,
  snapshotState,
} from "./consumer-state-store.js";
import type { ConsumerView, StreamListener, StreamView } from "./contracts.js";

/** Deliveries per loop turn before yielding to I/O. */
const PUMP_BUDGET = 256;
const FLOW_CONTROL_REQUEST = Buffer.from("NATS/1.0 100 FlowControl Request\r\n\r\n");
const EMPTY = Buffer.alloc(0);

export interface ConsumerInit {
  name: string;
  config: ConsumerConfig;
  created: TimePoint;
  state?: PersistedConsumerState | null;
  stateStore?: ConsumerStateStore | null;
}

export class Consumer implements ConsumerView, StreamListener {
  readonly name: string;
  config: ConsumerConfig;
  readonly created: TimePoint;
  readonly state = new AckState();
  readonly acks: ConsumerAcks;
  readonly stateStore: ConsumerStateStore | null;
  /** Pull consumers only. */
  pull: PullRequests | null = null;
  readonly picker: MessageSelector;
  /** Push: whether the deliver subject has interest. */
  active = true;
  private fc: FlowControl | null = null;
  private heartbeat: IdleHeartbeat | null = null;
  private rateLimiter: RateLimiter | null = null;
  private replay = false;
  private replayUntil = 0;
  private lastTs: { ms: number; nanos: number } | null = null;
  private held: { cand: Candidate; dsubj: string } | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  readonly inactivity: InactivityTimer;
  private subs: Subscription[] = [];
  private unregisterRemove: (() => void) | null = null;
  private kickScheduled = false;
  private pumping = false;
  private readonly pumpNow = () => this.pump();
  /** Last delivery and last ack times (ms), 0 = never. */
  lastDelivered = 0;
  lastAcked = 0;
  closed = false;

  constructor(
    readonly stream: StreamView,
    readonly env: ConsumerEnv,
    init: ConsumerInit,
  ) {
    this.name = init.name;
    this.config = init.config;
    this.created = init.created;
    this.stateStore = init.stateStore ?? null;
    this.acks = new ConsumerAcks(this);
    this.inactivity = new InactivityTimer(this);
    this.picker = new MessageSelector(this, ackReplyPrefix(stream.name, init.name));
    this.stateStore?.attach(() => this.snapshot());
    if (init.state) {
      restoreState(this.state, init.state, stream.store.state().lastSeq);
    } else {
      this.picker.skip = selectStart(this.state, stream.store, init.config, this.picker.filters);
    }
  }

  get isPush(): boolean {
    return isPushConfig(this.config);
  }

  get isDurable(): boolean {
    return isDurableConfig(this.config);
  }

  get deliverSubject(): string {
    return this.config.deliver_subject ?? "";
  }

  /** Starts delivery: subscriptions, stream events, timers (nats-server setLeader). */
  start(): void {
    const client = this.env.ctx.client;
    this.subs.push(
      client.subscribe(ackSubscriptionSubject(this.stream.name, this.name), this.acks.onAckMessage),
    );
    this.stream.addListener(this);
    this.unregisterRemove = this.stream.store.onRemove((seq, subject, reason) =>
      this.acks.messageRemoved(seq, subject, reason),
    );
    this.picker.streamNumPending();
    this.inactivity.threshold = inactiveThresholdMs(this.config, this.isPush);
    this.setupMode();
    this.inactivity.configure();
    this.replay = this.config.replay_policy === "original";
    if (this.replay) this.replayUntil = this.stream.store.state().lastSeq;
    if (this.state.pending.size > 0) this.acks.armAfterRestore();
    this.kick();
  }

  private setupMode(): void {
    const client = this.env.ctx.client;
    if (!this.isPush) {
      this.pull = new PullRequests(this.pullHost(), pullLimitsOf(this.config));
      return;
    }
    if (this.config.flow_control === true) {
      this.fc = new FlowControl(`${FLOW_CONTROL_PREFIX}${this.stream.name}.${this.name}.`);
      this.subs.push(
        client.subscribe(this.fc.subscription, (_s, subject) => this.flowControlAnswered(subject)),
      );
    }
    const hb = Math.ceil((this.config.idle_heartbeat ?? 0) / 1_000_000);
    if (hb > 0) {
      this.heartbeat = new IdleHeartbeat(hb, this.env.now, () => this.sendPushHeartbeat());
      this.heartbeat.start();
    }
    if ((this.config.rate_limit_bps ?? 0) > 0) {
      this.rateLimiter = new RateLimiter(this.config.rate_limit_bps!, this.rateLimitBurst(), this.env.now());
    }
    this.active = this.env.interest.hasInterest(this.deliverSubject);
    this.watchInterest();
  }

  private rateLimitBurst(): number {
    const maxMsgSize = this.stream.config.max_msg_size;
    return typeof maxMsgSize === "number" && maxMsgSize > 0 ? maxMsgSize : this.env.maxPayload;
  }

  /** Push consumers learn of interest changes by polling (see InterestWatch). */
  private watchInterest(): void {
    if (!this.isPush || this.closed) return;
    // Active consumers that are never deleted for inactivity need no watch: a failed delivery tells.
    if (this.active && this.inactivity.threshold === 0) {
      this.env.interest.unwatch(this);
      return;
    }
    this.env.interest.watch(this, this.deliverSubject, this.active, (interest) =>
      this.interestChanged(interest),
    );
  }

  /** updateDeliveryInterest */
  private interestChanged(interest: boolean): void {
    if (this.closed || !this.isPush) return;
    const was = this.active;
    this.active = interest;
    if (interest) {
      this.inactivity.clear();
      if (!was) {
        this.fc?.reset();
        this.kick();
      }
    } else if (this.inactivity.threshold > 0 && !this.inactivity.running) {
      this.inactivity.arm(this.inactivity.threshold);
    }
    this.watchInterest();
  }

  // --- stream events ---

  messageStored(seq: number, subject: string): void {
    if (this.closed || !this.picker.matchesFilter(subject)) return;
    this.picker.counted(seq);
    if (seq < this.state.sseq) return;
    if (this.isPush ? this.active : (this.pull?.waiting.length ?? 0) > 0) this.kick();
  }

  messagesRemoved(firstSeq: number, filter?: string): void {
    if (this.closed) return;
    const bySubject = filter !== undefined && filter !== "";
    if (bySubject && !purgeAffectsFilters(this.picker.filters, filter)) return;
    const first = firstSeq === 0 ? this.stream.store.state().lastSeq + 1 : firstSeq;
    this.acks.purged(first, bySubject);
  }

  /** ConsumerView.needsAck (nats-server needAck): interest retention asks before removing `seq`. */
  needsAck(seq: number, subject: string): boolean {
    if (this.closed) return false;
    const narrowed = filtersNarrowStream(this.picker.filters, this.stream.config.subjects ?? []);
    if (narrowed && !this.picker.matchesFilter(subject)) return false;
    const s = this.state;
    if (seq <= s.asflr) return false;
    if (this.config.ack_policy !== "explicit") return true;
    return seq >= s.sseq || s.pending.has(seq);
  }

  // --- delivery loop ---

  /** Schedules the delivery loop (coalesced: many kicks in one turn run it once). */
  kick(): void {
    if (this.kickScheduled || this.closed) return;
    this.kickScheduled = true;
    queueMicrotask(this.pumpNow);
  }

  private pump(): void {
    this.kickScheduled = false;
    if (this.closed || this.pumping) return;
    this.pumping = true;
    try {
      this.pumpLoop();
    } finally {
      this.pumping = false;
    }
  }

  private pumpLoop(): void {
    let stalled = false;
    for (let budget = PUMP_BUDGET; budget > 0; budget--) {
      if (this.held !== null) {
        if (this.holdTimer !== null) return;
        const { cand, dsubj } = this.held;
        this.held = null;
        this.deliver(cand, dsubj);
        continue;
      }
      if (!this.canDeliver()) break;
      const cand = this.picker.next();
      if (cand === STALLED) {
        stalled = true;
        break;
      }
      if (cand === null) break;
      const dsubj = this.isPush ? this.pushTarget() : (this.pull!.next(cand.size)?.reply ?? null);
      if (dsubj === null) {
        // Nobody to take it (no pull request, or the push subscriber left): it stays undelivered.
        this.picker.undo(cand);
        if (this.isPush) this.interestChanged(false);
        break;
      }
      const delay = this.deliveryDelay(cand);
      if (delay > 0) {
        this.hold(cand, dsubj, delay);
        return;
      }
      this.deliver(cand, dsubj);
      if (budget === 1) {
        // Out of budget with more to do: continue after pending I/O.
        setImmediate(() => this.kick());
        return;
      }
    }
    this.idle(stalled);
  }

  /** The deliver subject while it has a subscriber; null once it lost it (nats-server is told at once). */
  private pushTarget(): string | null {
    return this.env.interest.hasInterest(this.deliverSubject) ? this.deliverSubject : null;
  }

  private canDeliver(): boolean {
    if (this.isPush) return this.active && (this.fc === null || !this.fc.blocked());
    return (this.pull?.waiting.length ?? 0) > 0;
  }

  /** nats-server waitForMsgs: leave replay mode once caught up; sweep pull requests. */
  private idle(stalled: boolean): void {
    if (this.replay && this.state.sseq > this.replayUntil) this.replay = false;
    // A request kept waiting only by max_ack_pending is not at the end of the stream.
    if (this.pull !== null && this.pull.waiting.length > 0) this.pull.process(!stalled);
  }

  /** Replay original spacing and the rate limit: how long to wait before sending (ms). */
  private deliveryDelay(cand: Candidate): number {
    let delay = 0;
    if (this.replay && this.lastTs !== null) {
      const d = cand.msg.ts - this.lastTs.ms + (cand.msg.tsNanos - this.lastTs.nanos) / 1_000_000;
      if (d > 1) delay = Math.floor(d);
    }
    this.lastTs = { ms: cand.msg.ts, nanos: cand.msg.tsNanos };
    if (this.rateLimiter !== null)
      delay = Math.max(delay, this.rateLimiter.reserve(cand.size, this.env.now()));
    return delay;
  }

  private hold(cand: Candidate, dsubj: string, delay: number): void {
    this.held = { cand, dsubj };
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.kick();
    }, delay);
  }

  /** deliverMsg */
  private deliver(cand: Candidate, dsubj: string): void {
    const s = this.state;
    const dseq = s.dseq++;
    const seq = cand.msg.seq;
    const now = this.env.now();
    const policy = this.config.ack_policy;
    const client = this.env.ctx.client;
    const delivered = deliverAs(
      client.account,
      dsubj,
      cand.msg.subject,
      cand.reply,
      cand.headers,
      cand.payload,
    );
    if (policy === "explicit" || policy === "all") {
      s.trackPending(seq, dseq, now);
      this.acks.armTimer();
    } else {
      s.adflr = dseq;
      s.asflr = seq;
    }
    if (this.fc !== null) {
      const fcReply = this.fc.delivered(
        Buffer.byteLength(dsubj) + cand.size - Buffer.byteLength(cand.msg.subject),
      );
      if (fcReply !== null)
        this.env.ctx.client.publish(this.deliverSubject, fcReply, FLOW_CONTROL_REQUEST, EMPTY);
    }
    this.heartbeat?.touch(now);
    if (this.pull !== null && this.inactivity.threshold > 0) this.pull.waiting.last = now;
    this.lastDelivered = now;
    this.stateStore?.markDirty();
    if (policy === "none" && this.stream.config.retention !== "limits")
      this.stream.consumerAcked(this.name, seq);
    if (delivered === 0) this.didNotDeliver(seq);
  }

  /** Nobody took the message: a push consumer lost its interest; a pull delivery goes back in line. */
  private didNotDeliver(seq: number): void {
    if (this.isPush) {
      // A subscriber that exists but could not take it (slow consumer) keeps the consumer active.
      if (this.env.interest.hasInterest(this.deliverSubject)) return;
      this.interestChanged(false);
    } else if (this.state.pending.has(seq)) {
      this.state.rdq.push(seq);
      this.kick();
    }
  }

  private flowControlAnswered(subject: string): void {
    if (this.fc?.answered(subject)) this.kick();
  }

  private sendPushHeartbeat(): void {
    if (!this.active || this.closed) return;
    const s = this.state;
    const hdr = idleHeartbeatHeaders(s.dseq - 1, s.sseq - 1, this.fc?.stalledOn ?? "");
    this.env.ctx.client.publish(this.deliverSubject, null, hdr, EMPTY);
  }

  // --- num pending ---

  /** Messages a no_wait pull could get now. */
  deliverableCount(): number {
    return this.picker.numPending() + this.state.rdq.size;
  }

  // --- pull requests ---

  /** A MSG.NEXT request (or +NXT ack) for this consumer. */
  processNextRequest(reply: string, payload: Buffer): void {
    if (this.closed || reply === "") return;
    if (this.pull === null) {
      this.env.ctx.client.publish(reply, null, STATUS_PUSH_BASED, EMPTY);
      return;
    }
    this.pull.request(reply, payload, describeDuration);
  }

  private pullHost() {
    return {
      now: this.env.now,
      sendStatus: (subject: string, headers: Buffer) => {
        this.env.ctx.client.publish(subject, null, headers, EMPTY);
      },
      hasInterest: (subject: string) => this.env.interest.hasInterest(subject),
      deliverableCount: () => this.deliverableCount(),
      lastDelivered: () => ({ consumerSeq: this.state.dseq - 1, streamSeq: this.state.sseq - 1 }),
      kick: () => this.kick(),
    };
  }

  /** Ack activity keeps a consumer with an inactivity threshold alive. */
  activity(): void {
    this.inactivity.activity();
  }

  // --- config, info, lifecycle ---

  /** Applies an allowed config change (nats-server updateConfig); checks were made by the caller. */
  applyConfig(next: ConsumerConfig): void {
    const old = this.config;
    const deliverChanged = (old.deliver_subject ?? "") !== (next.deliver_subject ?? "");
    this.config = next;
    if ((old.inactive_threshold ?? 0) !== (next.inactive_threshold ?? 0)) {
      this.inactivity.configure();
    }
    if ((old.rate_limit_bps ?? 0) !== (next.rate_limit_bps ?? 0)) {
      const bps = next.rate_limit_bps ?? 0;
      this.rateLimiter = bps > 0 ? new RateLimiter(bps, this.rateLimitBurst(), this.env.now()) : null;
    }
    if (this.pull !== null) {
      this.pull.updateLimits(next.max_batch ?? 0, next.max_expires ?? 0, next.max_bytes ?? 0);
    }
    if (deliverChanged) {
      // A new deliver subject gets everything still unacknowledged again (forceExpirePending).
      this.acks.forceExpirePending();
      this.fc?.reset();
      this.active = this.env.interest.hasInterest(this.deliverSubject);
      this.watchInterest();
    }
    if ((old.ack_wait ?? 0) !== (next.ack_wait ?? 0)) this.acks.armTimer(100);
    this.stateStore?.writeMeta({ name: this.name, created: this.created, config: next });
    this.kick();
  }

  info(): ConsumerInfoJson {
    if (this.pull !== null) this.pull.process(false);
    return consumerInfo(this);
  }

  /** Whether a push consumer has a subscriber on its deliver subject right now. */
  get pushBound(): boolean {
    return this.isPush && !this.closed && this.env.interest.hasInterest(this.deliverSubject);
  }

  /** State for the state file. */
  snapshot(): PersistedConsumerState {
    return snapshotState(this.state);
  }

  sendAdvisory(a: Advisory): void {
    this.env.ctx.advisory(a.subject, a.body);
  }

  /**
   * ConsumerView.stop: server shutdown (state kept), or deletion of the consumer or its stream
   * (advisory, waiting pull requests get 409 Consumer Deleted, state files removed).
   */
  stop(deleteState: boolean): void {
    if (this.closed) return;
    if (deleteState) {
      // Deleted (itself or with its stream): tell listeners and release waiting pull requests.
      const adv = consumerActionAdvisory("delete", this.stream.name, this.name);
      this.env.ctx.advisory(adv.subject, adv.body);
      this.pull?.releaseAll();
    }
    this.closed = true;
    const client = this.env.ctx.client;
    for (const sub of this.subs) client.unsubscribe(sub);
    this.subs = [];
    this.stream.removeListener(this);
    this.unregisterRemove?.();
    this.unregisterRemove = null;
    this.env.interest.unwatch(this);
    this.acks.stop();
    this.pull?.stop();
    this.heartbeat?.stop();
    this.inactivity.clear();
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.held = null;
    if (this.stateStore !== null) {
      if (deleteState) this.stateStore.delete();
      else this.stateStore.close();
    }
  }
}
