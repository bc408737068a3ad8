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

/** Subscribes the imports; throws SecurityConfigError for an unknown account or an unauthorized import. */
export function linkAccounts(
  config: SecurityConfig,
  accounts: Map<string, Account>,
  newClient: NewInternalClient,
): AccountLinks {
  const links = new AccountLinks(newClient);
  const byName = new Map(config.accounts.map((a) => [a.name, a]));
  for (const acc of config.accounts) {
    const importer = accounts.get(acc.name)!;
    for (const imp of acc.imports) {
      const exporterCfg = byName.get(imp.account);
      const exporter = accounts.get(imp.account);
      if (exporterCfg === undefined || exporter === undefined)
        throw new SecurityConfigError(`"${imp.account}" account not defined for ${imp.kind} import`);
      const exp = findExport(exporterCfg, imp, acc.name);
      if (exp === null)
        throw new SecurityConfigError(
          `Error adding ${imp.kind} import "${imp.subject}": ${imp.kind} import not authorized`,
        );
      const local = localSubject(imp);
      if (imp.kind === "stream") links.addStreamImport(exporter, importer, imp.subject, local);
      else links.addServiceImport(exporter, importer, imp.subject, local, exp.responseType === "singleton");
    }
  }
  return links;
}
