// Creates the configured accounts and wires their imports to the exports that authorize them
// (nats-server opts.go parseAccounts: exports first, then imports checked against them).

import { Account } from "../core/account.js";
import { AccountLinks, type NewInternalClient } from "../core/account-links.js";
import { isSubsetMatch } from "../core/permissions.js";
import {
  type AccountConfig,
  type ExportConfig,
  type ImportConfig,
  type SecurityConfig,
  SecurityConfigError,
} from "./security-config.js";

/** Adds the configured (and system) accounts to `accounts`. */
export function createAccounts(config: SecurityConfig, accounts: Map<string, Account>): void {
  for (const acc of config.accounts)
    if (!accounts.has(acc.name)) accounts.set(acc.name, new Account(acc.name));
  const sys = config.systemAccount;
  if (sys !== undefined && !accounts.has(sys)) accounts.set(sys, new Account(sys));
}

function findExport(exporter: AccountConfig, imp: ImportConfig, importer: string): ExportConfig | null {
  for (const exp of exporter.exports) {
    if (exp.kind !== imp.kind) continue;
    if (!isSubsetMatch(imp.subject, exp.subject)) continue;
    if (exp.accounts !== undefined && !exp.accounts.includes(importer)) continue;
    return exp;
  }
  return null;
}

/** The local subject of an import: `to`, or `prefix.subject` for streams, else the subject itself. */
function localSubject(imp: ImportConfig): string {
  if (imp.to !== undefined) return imp.to;
  if (imp.prefix !== undefined && imp.prefix !== "") {
    if (imp.prefix.includes("*") || imp.prefix.includes(">"))
      throw new SecurityConfigError(
        `Error adding stream import "${imp.subject}": stream import prefix can not contain wildcard tokens`,
      );
    return imp.prefix.endsWith(".") ? `${imp.prefix}${imp.subject}` : `${imp.prefix}.${imp.subject}`;
  }
  return imp.subject;
}

export interface PlannedImport {
  kind: "stream" | "service";
  exporter: string;
  importer: string;
  subject: string;
  localSubject: string;
  singleton: boolean;
}

/** Checks every import against the exports; throws SecurityConfigError for what nats-server refuses. */
export function planImports(config: SecurityConfig): PlannedImport[] {
  const byName = new Map(config.accounts.map((a) => [a.name, a]));
  const out: PlannedImport[] = [];
  for (const acc of config.accounts) {
    for (const imp of acc.imports) {
      const exporter = byName.get(imp.account);
      if (exporter === undefined)
        throw new SecurityConfigError(`"${imp.account}" account not defined for ${imp.kind} import`);
      const exp = findExport(exporter, imp, acc.name);
      if (exp === null)
        throw new SecurityConfigError(
          `Error adding ${imp.kind} import "${imp.subject}": ${imp.kind} import not authorized`,
        );
      out.push({
        kind: imp.kind,
        exporter: imp.account,
        importer: acc.name,
        subject: imp.subject,
        localSubject: localSubject(imp),
        singleton: exp.responseType === "singleton",
      });
    }
  }
  return out;
}

/** Subscribes the imports (accounts must exist: createAccounts first). */
export function linkAccounts(
  config: SecurityConfig,
  accounts: Map<string, Account>,
  newClient: NewInternalClient,
): AccountLinks {
  const links = new AccountLinks(newClient);
  for (const p of planImports(config)) {
    const exporter = accounts.get(p.exporter)!;
    const importer = accounts.get(p.importer)!;
    if (p.kind === "stream") links.addStreamImport(exporter, importer, p.subject, p.localSubject);
    else links.addServiceImport(exporter, importer, p.subject, p.localSubject, p.singleton);
  }
  return links;
}
