// Typed security configuration (users, permissions, accounts, imports/exports) read from the raw
// `authorization`, `accounts` and `system_account` blocks, with nats-server's keys (opts.go parseUsers,
// parseUserPermissions, parseAccounts).

import type { ServerOptions } from "../config/options.js";
import { parseGoDuration } from "../config/units.js";
import { GLOBAL_ACCOUNT } from "../core/account.js";
import {
  DEFAULT_RESPONSE_PERMISSION,
  type PermissionsConfig,
  type ResponsePermissionConfig,
  type SubjectPermissionConfig,
} from "../core/permissions.js";
import { isValidSubject } from "../core/subject.js";

export interface UserConfig {
  user?: string;
  password?: string;
  /** Public user nkey (U...). */
  nkey?: string;
  account: string;
  permissions?: PermissionsConfig;
  /** allowed_connection_types: STANDARD, WEBSOCKET, MQTT, ... (upper case); absent = any. */
  allowedConnectionTypes?: string[];
}

/** nats-server convertAllowedConnectionTypes (jwt.ConnectionType*). */
const CONNECTION_TYPES = new Set(["STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS"]);

export function connectionTypes(v: unknown): string[] {
  const list = strList(v, "allowed connection types").map((t) => t.toUpperCase());
  const unknown = list.filter((t) => !CONNECTION_TYPES.has(t));
  if (unknown.length > 0)
    throw new SecurityConfigError(`invalid connection types ${JSON.stringify(unknown)}`);
  return list;
}

export interface ExportConfig {
  kind: "stream" | "service";
  subject: string;
  /** Accounts allowed to import; absent = public. */
  accounts?: string[];
  /** Service exports: how many responses a request may get. */
  responseType: "singleton" | "stream" | "chunked";
}

export interface ImportConfig {
  kind: "stream" | "service";
  /** The exporting account. */
  account: string;
  /** The subject as exported (in the exporting account). */
  subject: string;
  /** Local subject (service: where requests are made; stream: where messages appear). */
  to?: string;
  /** Stream imports: literal prefix for the local subject. */
  prefix?: string;
}

export interface AccountConfig {
  name: string;
  /** `jetstream: enabled` or a limits block in the account (limits themselves are not enforced yet). */
  jetstream?: boolean;
  exports: ExportConfig[];
  imports: ImportConfig[];
}

export interface SecurityConfig {
  users: UserConfig[];
  accounts: AccountConfig[];
  token?: string;
  user?: string;
  password?: string;
  noAuthUser?: string;
  systemAccount?: string;
}

export class SecurityConfigError extends Error {}

type Raw = Record<string, unknown>;

function isMap(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function entries(m: Raw): [string, unknown][] {
  return Object.keys(m).map((k) => [k.toLowerCase(), m[k]]);
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new SecurityConfigError(`${what}: expected a string`);
  return v;
}

function strList(v: unknown, what: string): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map((x) => str(x, what));
  throw new SecurityConfigError(`${what}: expected a subject, or array of subjects`);
}

/** nats-server checkPermSubjectArray: a subject, or "subject queue". */
function permSubjects(v: unknown, what: string): string[] {
  const list = strList(v, what);
  for (const s of list) {
    if (isValidSubject(s)) continue;
    const parts = s.trim().split(/\s+/);
    if (parts.length !== 2 || !isValidSubject(parts[0]!))
      throw new SecurityConfigError(`subject "${s}" is not a valid subject`);
  }
  return list;
}

function subjectPermission(v: unknown, what: string): SubjectPermissionConfig | undefined {
  if (!isMap(v)) return { allow: permSubjects(v, what) };
  if (Object.keys(v).length === 0) return undefined;
  const out: SubjectPermissionConfig = {};
  for (const [k, val] of entries(v)) {
    if (k === "allow") out.allow = permSubjects(val, what);
    else if (k === "deny") out.deny = permSubjects(val, what);
    else
      throw new SecurityConfigError(
        `Unknown field name "${k}" parsing subject permissions, only 'allow' or 'deny' are permitted`,
      );
  }
  return out;
}

function responsePermission(v: unknown): ResponsePermissionConfig | undefined {
  if (typeof v === "boolean") return v ? { ...DEFAULT_RESPONSE_PERMISSION } : undefined;
  if (!isMap(v))
    throw new SecurityConfigError("error parsing response permissions, expected a boolean or a map");
  const rp = { ...DEFAULT_RESPONSE_PERMISSION };
  for (const [k, val] of entries(v)) {
    if (k === "max" || k === "max_msgs" || k === "max_messages" || k === "max_responses") {
      if (typeof val !== "number") throw new SecurityConfigError("error parsing max responses");
      if (val !== 0) rp.maxMsgs = val;
    } else if (k === "expires" || k === "expiration" || k === "ttl") {
      if (typeof val !== "string")
        throw new SecurityConfigError("error parsing expires, not a duration string");
      const ms = parseGoDuration(val);
      if (ms !== 0) rp.expiresMs = ms;
    } else throw new SecurityConfigError(`Unknown field "${k}" parsing permissions`);
  }
  return rp;
}

export function parsePermissions(v: unknown): PermissionsConfig {
  if (!isMap(v)) throw new SecurityConfigError("Expected permissions to be a map/struct");
  const p: PermissionsConfig = {};
  for (const [k, val] of entries(v)) {
    if (k === "pub" || k === "publish" || k === "import") p.publish = subjectPermission(val, k);
    else if (k === "sub" || k === "subscribe" || k === "export") p.subscribe = subjectPermission(val, k);
    else if (k === "publish_allow_responses" || k === "allow_responses")
      p.allowResponses = responsePermission(val);
    else throw new SecurityConfigError(`Unknown field "${k}" parsing permissions`);
  }
  return p;
}

function parseUsers(v: unknown, account: string, defaults: PermissionsConfig | undefined): UserConfig[] {
  if (!Array.isArray(v)) throw new SecurityConfigError("Expected users field to be an array");
  return v.map((u) => {
    if (!isMap(u)) throw new SecurityConfigError("Expected user entry to be a map/struct");
    const user: UserConfig = { account };
    for (const [k, val] of entries(u)) {
      if (k === "nkey") user.nkey = str(val, "nkey");
      else if (k === "user" || k === "username") user.user = str(val, "user");
      else if (k === "pass" || k === "password") user.password = str(val, "password");
      else if (k === "permission" || k === "permissions" || k === "authorization")
        user.permissions = parsePermissions(val);
      else if (k === "allowed_connection_types" || k === "connection_types" || k === "clients")
        user.allowedConnectionTypes = connectionTypes(val);
      else throw new SecurityConfigError(`unknown field "${k}" in user entry`);
    }
    if (user.nkey === undefined && user.user === undefined)
      throw new SecurityConfigError("User entry requires a user");
    if (user.nkey !== undefined) {
      if (!/^U[A-Z2-7]{55}$/.test(user.nkey))
        throw new SecurityConfigError("Not a valid public nkey for a user");
      if (user.user !== undefined || user.password !== undefined)
        throw new SecurityConfigError("Nkey users do not take usernames or passwords");
    }
    user.permissions ??= defaults;
    return user;
  });
}

function parseExport(v: unknown, acc: string): ExportConfig {
  if (!isMap(v)) throw new SecurityConfigError(`account ${acc}: export entries must be maps`);
  let kind: "stream" | "service" | undefined;
  let subject = "";
  let accounts: string[] | undefined;
  let responseType: ExportConfig["responseType"] = "singleton";
  for (const [k, val] of entries(v)) {
    if (k === "stream" || k === "service") {
      kind = k;
      subject = str(val, k);
    } else if (k === "accounts") accounts = strList(val, "accounts");
    else if (k === "response" || k === "response_type") {
      const t = str(val, k).toLowerCase();
      if (t !== "singleton" && t !== "stream" && t !== "chunked")
        throw new SecurityConfigError(`Unknown response type: "${t}"`);
      responseType = t;
    }
  }
  if (kind === undefined) throw new SecurityConfigError(`account ${acc}: export needs a stream or service`);
  if (!isValidSubject(subject))
    throw new SecurityConfigError(`account ${acc}: invalid export subject "${subject}"`);
  return { kind, subject, accounts, responseType };
}

function parseImport(v: unknown, acc: string): ImportConfig {
  if (!isMap(v)) throw new SecurityConfigError(`account ${acc}: import entries must be maps`);
  let out: ImportConfig | undefined;
  let to: string | undefined;
  let prefix: string | undefined;
  for (const [k, val] of entries(v)) {
    if (k === "stream" || k === "service") {
      if (!isMap(val)) throw new SecurityConfigError(`account ${acc}: ${k} import must be a map`);
      let account = "";
      let subject = "";
      for (const [ik, iv] of entries(val)) {
        if (ik === "account") account = str(iv, "account");
        else if (ik === "subject") subject = str(iv, "subject");
      }
      out = { kind: k, account, subject };
    } else if (k === "to" || k === "local_subject") to = str(val, k);
    else if (k === "prefix") prefix = str(val, k);
  }
  if (out === undefined) throw new SecurityConfigError(`account ${acc}: import needs a stream or service`);
  if (out.kind === "service" && prefix !== undefined)
    throw new SecurityConfigError(`account ${acc}: prefix not valid for service imports`);
  if (to !== undefined) out.to = to;
  if (prefix !== undefined) out.prefix = prefix;
  return out;
}

const RESERVED_ACCOUNTS = new Set([GLOBAL_ACCOUNT]);

function parseAccounts(v: unknown, users: UserConfig[]): AccountConfig[] {
  if (Array.isArray(v)) return v.map((n) => ({ name: str(n, "account"), exports: [], imports: [] }));
  if (!isMap(v)) throw new SecurityConfigError("Expected map entries for accounts");
  const out: AccountConfig[] = [];
  for (const name of Object.keys(v)) {
    const body = v[name];
    if (!isMap(body)) throw new SecurityConfigError("Expected map entries for accounts");
    if (RESERVED_ACCOUNTS.has(name)) throw new SecurityConfigError(`"${name}" is a Reserved Account`);
    const acc: AccountConfig = { name, exports: [], imports: [] };
    let rawUsers: unknown;
    let defaults: PermissionsConfig | undefined;
    for (const [k, val] of entries(body)) {
      if (k === "users") rawUsers = val;
      else if (k === "default_permissions") defaults = parsePermissions(val);
      else if (k === "exports") acc.exports = listOf(val).map((e) => parseExport(e, name));
      else if (k === "imports") acc.imports = listOf(val).map((e) => parseImport(e, name));
      else if (k === "jetstream") acc.jetstream = accountJetStream(val);
    }
    if (rawUsers !== undefined) users.push(...parseUsers(rawUsers, name, defaults));
    out.push(acc);
  }
  return out;
}

/** nats-server parseJetStreamForAccount: true/false, "enabled"/"disabled", or a limits map (enabled). */
function accountJetStream(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const word = v.toLowerCase();
    if (word === "enabled" || word === "enable") return true;
    if (word === "disabled" || word === "disable") return false;
    throw new SecurityConfigError(`Expected 'enabled' or 'disabled' for string value, got '${v}'`);
  }
  if (isMap(v)) return true;
  throw new SecurityConfigError("Expected map, bool or string to define JetStream for an account");
}

/**
 * Which accounts get JetStream (nats-server enableJetStreamAccounts): every account when none are
 * configured (the global account alone), otherwise only those whose block enables it.
 */
export function jetStreamEnabledFor(config: SecurityConfig, account: string): boolean {
  if (config.accounts.length === 0) return true;
  return config.accounts.some((a) => a.name === account && a.jetstream === true);
}

function listOf(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new SecurityConfigError("expected an array");
  return v;
}

function checkDuplicates(users: UserConfig[]): void {
  const seen = new Set<string>();
  for (const u of users) {
    const id = u.nkey ?? u.user!;
    if (seen.has(id)) throw new SecurityConfigError(`Duplicate user "${id}" detected`);
    seen.add(id);
  }
}

/** Builds the typed security config from server options (raw blocks in `extra`). Throws SecurityConfigError. */
export function securityConfigFrom(opts: ServerOptions): SecurityConfig {
  const users: UserConfig[] = [];
  const extra = opts.extra;
  const auth = extra.authorization;
  if (isMap(auth)) {
    let defaults: PermissionsConfig | undefined;
    let rawUsers: unknown;
    for (const [k, val] of entries(auth)) {
      if (k === "default_permission" || k === "default_permissions" || k === "permissions")
        defaults = parsePermissions(val);
      else if (k === "users") rawUsers = val;
    }
    if (rawUsers !== undefined) users.push(...parseUsers(rawUsers, GLOBAL_ACCOUNT, defaults));
  }
  const accounts = extra.accounts === undefined ? [] : parseAccounts(extra.accounts, users);
  checkDuplicates(users);
  const hasAccountUsers = users.some((u) => u.account !== GLOBAL_ACCOUNT);
  if (hasAccountUsers && opts.username !== undefined)
    throw new SecurityConfigError("Can not have a single user/pass and accounts");
  if (hasAccountUsers && opts.authToken !== undefined)
    throw new SecurityConfigError("Can not have a token and accounts");
  if (users.length > 0 && (opts.username !== undefined || opts.authToken !== undefined))
    throw new SecurityConfigError("Can not have a single user/pass and a users array");
  const sys = extra.system_account;
  const cfg: SecurityConfig = { users, accounts };
  if (opts.authToken !== undefined) cfg.token = opts.authToken;
  if (opts.username !== undefined) cfg.user = opts.username;
  if (opts.password !== undefined) cfg.password = opts.password;
  if (opts.noAuthUser !== undefined) cfg.noAuthUser = opts.noAuthUser;
  if (typeof sys === "string") cfg.systemAccount = sys;
  checkNoAuthUser(cfg);
  return cfg;
}

function checkNoAuthUser(cfg: SecurityConfig): void {
  if (cfg.noAuthUser === undefined) return;
  if (cfg.users.length === 0)
    throw new SecurityConfigError(`no_auth_user: "${cfg.noAuthUser}" present, but users are not defined`);
  if (!cfg.users.some((u) => u.user === cfg.noAuthUser))
    throw new SecurityConfigError(
      `no_auth_user: "${cfg.noAuthUser}" not present as user in authorization block or account configuration`,
    );
}
