// An account: an isolated subject space with its own subscription index. Every connection belongs to one.

import { Sublist } from "./sublist.js";

export const GLOBAL_ACCOUNT = "$G";

export class Account {
  readonly sublist = new Sublist();
  /** Connections currently bound to this account. */
  numConnections = 0;

  constructor(readonly name: string) {}
}
