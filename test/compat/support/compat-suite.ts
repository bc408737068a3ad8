// Turns a table of sessions into vitest tests: each session runs on nats-server (checking the script against
// the reference) and on natsgate, whose transcript must then equal the one nats-server produced.

import { describe, expect, it } from "vitest";
import { runSession, type Session } from "./session.js";
import { natsgateTarget, natsServerTarget, reportSkippedReference, type Target } from "./targets.js";

const SESSION_TIMEOUT = 30_000;

export function defineCompatSuite(title: string, sessions: Session[]): void {
  const names = new Set<string>();
  for (const s of sessions) {
    if (names.has(s.name)) throw new Error(`duplicate session name: ${s.name}`);
    names.add(s.name);
  }
  reportSkippedReference();
  // Filled by the nats-server side, read by the natsgate side: vitest runs a file's tests in order.
  const reference = new Map<string, string[]>();

  const sideFor = (target: Target) => () => {
    for (const session of sessions) {
      it(
        session.name,
        async () => {
          const result = await runSession(target, session);
          if (target === natsServerTarget) reference.set(session.name, result.transcript);
          const ref = reference.get(session.name);
          // The transcript diff shows where the wire traffic diverged; the failure says which step.
          if (target !== natsServerTarget && ref) expect(result.transcript).toEqual(ref);
          expect(result.failure).toBeUndefined();
        },
        SESSION_TIMEOUT,
      );
    }
  };

  describe.skipIf(!natsServerTarget.enabled)(`${title} [nats-server]`, sideFor(natsServerTarget));
  describe.skipIf(!natsgateTarget.enabled)(`${title} [natsgate]`, sideFor(natsgateTarget));
}
