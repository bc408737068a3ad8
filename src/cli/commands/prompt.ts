// Interactive questions for values the user left out, asked only when stdin is a terminal: scripts and tests
// (no TTY) get the documented defaults or a clear error instead of a hang.

import { createInterface } from "node:readline/promises";
import { CliError } from "./cli-error.js";

export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** Asks once; an empty answer takes `fallback`. Without a TTY returns `fallback`, or fails when it is undefined. */
export async function ask(question: string, fallback?: string, flag?: string): Promise<string> {
  if (!canPrompt()) {
    if (fallback !== undefined) return fallback;
    throw new CliError(`${question} is required${flag ? ` (${flag})` : ""}`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const suffix = fallback !== undefined && fallback !== "" ? ` (${fallback})` : "";
    const answer = (await rl.question(`? ${question}${suffix} `)).trim();
    if (answer === "" && fallback === undefined) throw new CliError(`${question} is required`);
    return answer === "" ? (fallback as string) : answer;
  } finally {
    rl.close();
  }
}

/** A yes/no question; without a TTY the default answer. */
export async function confirm(question: string, fallback: boolean): Promise<boolean> {
  if (!canPrompt()) return fallback;
  const answer = (await ask(`${question} [${fallback ? "Y/n" : "y/N"}]`, "")).toLowerCase();
  if (answer === "") return fallback;
  return answer.startsWith("y");
}

/** Destructive or overwriting actions ask first on a terminal; scripts must say --force. */
export async function confirmOrForce(question: string, force: boolean | undefined): Promise<void> {
  if (force) return;
  if (!canPrompt()) throw new CliError(`${question}: use --force to confirm without a terminal`);
  if (!(await confirm(question, false))) throw new CliError("aborted");
}
