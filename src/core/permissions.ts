// Publish/subscribe permissions of a user (compiled once, shared) and the per-connection checker that
// caches subject → allowed, as nats-server's client.go (pubAllowedFullCheck, canSubscribe, checkDenySub).

export interface SubjectPermissionConfig {
  /** null/undefined = everything allowed (deny may still refuse); [] = nothing allowed. */
  allow?: string[];
  deny?: string[];
}

export interface ResponsePermissionConfig {
  /** Responses allowed per received request; <0 = unlimited. */
  maxMsgs: number;
  /** Milliseconds a reply subject stays publishable; <0 = forever. */
  expiresMs: number;
}

export interface PermissionsConfig {
  publish?: SubjectPermissionConfig;
  subscribe?: SubjectPermissionConfig;
  allowResponses?: ResponsePermissionConfig;
}

/** nats-server DEFAULT_ALLOW_RESPONSE_MAX_MSGS and DEFAULT_ALLOW_RESPONSE_EXPIRATION. */
export const DEFAULT_RESPONSE_PERMISSION: ResponsePermissionConfig = { maxMsgs: 1, expiresMs: 2 * 60 * 1000 };

/** nats-server maxPermCacheSize / maxDenyPermCacheSize / replyPermLimit. */
const PERM_CACHE_MAX = 128;
const PERM_CACHE_PRUNE = 32;
const DENY_CACHE_MAX = 4096;
const REPLY_LIMIT = 4096;

interface Pattern {
  tokens: string[];
  /** Queue group for "subject queue" entries (subscribe permissions only). */
  queue: string | null;
}

/** One allow or deny list, matched with nats-server sublist semantics (a subject's own wildcards are literals). */
export class PatternList {
  private readonly plain: Pattern[] = [];
  private readonly queued: Pattern[] = [];
  /** The plain entries as written, for the wildcard-subscription deny filter. */
  readonly subjects: string[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parts = entry.trim().split(/\s+/);
      if (parts.length === 2) this.queued.push({ tokens: parts[0]!.split("."), queue: parts[1]! });
      else {
        this.plain.push({ tokens: entry.split("."), queue: null });
        this.subjects.push(entry);
      }
    }
  }

  /** True when a plain entry matches the subject. */
  matches(subject: string): boolean {
    const tokens = subject.split(".");
    for (const p of this.plain) if (tokensMatch(p.tokens, tokens)) return true;
    return false;
  }

  /** Queue names of the queue entries matching the subject. */
  matchingQueues(subject: string): string[] {
    if (this.queued.length === 0) return [];
    const tokens = subject.split(".");
    const out: string[] = [];
    for (const p of this.queued) if (tokensMatch(p.tokens, tokens)) out.push(p.queue!);
    return out;
  }
}

/** Go sublist Match: `*` and `>` in the pattern are wildcards; in the subject they are ordinary tokens. */
function tokensMatch(pattern: string[], subject: string[]): boolean {
  const n = pattern.length;
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if (p === ">") return i < subject.length;
    if (i >= subject.length) return false;
    if (p !== "*" && p !== subject[i]) return false;
  }
  return n === subject.length;
}

/** nats-server isSubsetMatchTokenized: every subject `tokens` can match is also matched by `test`. */
export function isSubsetMatch(subject: string, test: string): boolean {
  const tokens = subject.split(".");
  const tts = test.split(".");
  for (let i = 0; i < tts.length; i++) {
    if (i >= tokens.length) return false;
    const t2 = tts[i]!;
    if (t2.length === 0) return false;
    if (t2 === ">") return true;
    const t1 = tokens[i]!;
    if (t1.length === 0 || t1 === ">") return false;
    if (t1 === "*") {
      if (t2 !== "*") return false;
      continue;
    }
    if (t2 !== "*" && t1 !== t2) return false;
  }
  return tokens.length === tts.length;
}

function queueMatches(queue: string, names: string[]): boolean {
  for (const name of names) {
    if (queue === name) return true;
    if ((name.includes("*") || name.includes(">")) && isSubsetMatch(queue, name)) return true;
  }
  return false;
}

function hasWildcard(subject: string): boolean {
  for (const t of subject.split(".")) if (t === "*" || t === ">") return true;
  return false;
}

/** A user's permissions, compiled once from the configuration and shared by its connections. */
export class Permissions {
  readonly pubAllow: PatternList | null;
  readonly pubDeny: PatternList | null;
  readonly subAllow: PatternList | null;
  readonly subDeny: PatternList | null;
  readonly response: ResponsePermissionConfig | null;

  constructor(readonly config: PermissionsConfig) {
    const response = config.allowResponses ?? null;
    // nats-server: allow_responses turns off the blanket publish allow when no allow list is given.
    const pubAllow = config.publish?.allow ?? (response !== null ? [] : undefined);
    this.pubAllow = pubAllow === undefined ? null : new PatternList(pubAllow);
    this.pubDeny = config.publish?.deny === undefined ? null : new PatternList(config.publish.deny);
    this.subAllow = config.subscribe?.allow === undefined ? null : new PatternList(config.subscribe.allow);
    this.subDeny = config.subscribe?.deny === undefined ? null : new PatternList(config.subscribe.deny);
    this.response = response;
  }

  /** Publish check without caches or reply tracking (what a cache miss computes). */
  publishAllowed(subject: string): boolean {
    let allowed = true;
    if (this.pubAllow !== null) allowed = this.pubAllow.matches(subject);
    if (allowed && this.pubDeny !== null) allowed = !this.pubDeny.matches(subject);
    return allowed;
  }

  /** nats-server canSubscribe, without the side effect of arming the delivery deny filter. */
  subscribeAllowed(subject: string, queue: string | null): boolean {
    let allowed = true;
    if (this.subAllow !== null) {
      allowed = this.subAllow.matches(subject);
      if (queue !== null) {
        const queues = this.subAllow.matchingQueues(subject);
        if (queues.length > 0) allowed = queueMatches(queue, queues);
      }
    }
    if (allowed && this.subDeny !== null) {
      allowed = !this.subDeny.matches(subject);
      if (queue !== null) {
        const queues = this.subDeny.matchingQueues(subject);
        if (queues.length > 0) allowed = !queueMatches(queue, queues);
      }
    }
    return allowed;
  }
}

interface ReplyGrant {
  at: number;
  n: number;
}

/**
 * One connection's view of its user's permissions: caches publish decisions, remembers reply subjects
 * it may answer (allow_responses) and filters deliveries to wildcard subscriptions that cover a deny.
 */
export class ConnectionPermissions {
  private readonly pcache = new Map<string, boolean>();
  private readonly replies: Map<string, ReplyGrant> | null;
  private readonly checkPub: boolean;
  /** Armed once a wildcard subscription covers a subscribe deny entry (nats-server mperms). */
  private dcache: Map<string, boolean> | null = null;

  constructor(readonly perms: Permissions) {
    this.replies = perms.response === null ? null : new Map();
    this.checkPub = perms.pubAllow !== null || perms.pubDeny !== null;
  }

  canPublish(subject: string): boolean {
    if (!this.checkPub) return true;
    const cached = this.pcache.get(subject);
    if (cached !== undefined) return cached;
    const allowed = this.perms.publishAllowed(subject);
    if (!allowed && this.replies !== null) return this.useReply(subject);
    this.pcache.set(subject, allowed);
    if (this.pcache.size > PERM_CACHE_MAX) pruneOldest(this.pcache, PERM_CACHE_PRUNE);
    return allowed;
  }

  private useReply(subject: string): boolean {
    const grant = this.replies!.get(subject);
    if (grant === undefined) return false;
    const rp = this.perms.response!;
    grant.n++;
    if (rp.maxMsgs > 0 && grant.n > rp.maxMsgs) {
      this.replies!.delete(subject);
      return false;
    }
    if (rp.expiresMs > 0 && Date.now() - grant.at > rp.expiresMs) {
      this.replies!.delete(subject);
      return false;
    }
    return true;
  }

  canSubscribe(subject: string, queue: string | null): boolean {
    const allowed = this.perms.subscribeAllowed(subject, queue);
    const deny = this.perms.subDeny;
    if (allowed && deny !== null && this.dcache === null && hasWildcard(subject)) {
      for (const d of deny.subjects) {
        if (isSubsetMatch(d, subject)) {
          this.dcache = new Map();
          break;
        }
      }
    }
    return allowed;
  }

  /**
   * Called for each message about to be delivered to this connection: false when a subscribe deny
   * filters it out. Records the reply subject as answerable when allow_responses is on.
   */
  admitDelivery(subject: string, reply: string | null): boolean {
    if (this.dcache !== null && this.denied(subject)) return false;
    if (this.replies !== null && reply !== null) {
      this.replies.set(reply, { at: Date.now(), n: 0 });
      if (this.replies.size > REPLY_LIMIT) this.pruneReplies();
    }
    return true;
  }

  private denied(subject: string): boolean {
    const dcache = this.dcache!;
    const cached = dcache.get(subject);
    if (cached !== undefined) return cached;
    const denied = this.perms.subDeny!.matches(subject);
    dcache.set(subject, denied);
    if (dcache.size > DENY_CACHE_MAX) pruneOldest(dcache, dcache.size - DENY_CACHE_MAX / 2);
    return denied;
  }

  private pruneReplies(): void {
    const rp = this.perms.response!;
    const now = Date.now();
    for (const [subject, grant] of this.replies!) {
      if ((rp.maxMsgs > 0 && grant.n >= rp.maxMsgs) || (rp.expiresMs > 0 && now - grant.at > rp.expiresMs))
        this.replies!.delete(subject);
    }
    // Still over: drop the oldest so the map stays bounded.
    if (this.replies!.size > REPLY_LIMIT) pruneOldest(this.replies!, this.replies!.size - REPLY_LIMIT);
  }
}

function pruneOldest<V>(map: Map<string, V>, count: number): void {
  for (const key of map.keys()) {
    if (count-- <= 0) break;
    map.delete(key);
  }
}
