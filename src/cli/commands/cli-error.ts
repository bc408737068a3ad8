// One-line errors for the management commands: JetStream API errors keep the server's description and
// err_code, connection errors say where the client tried to connect.

/** An error the command reports as one line and exit code 1, with no stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

interface ApiErrorLike {
  message: string;
  code?: unknown;
  apiError?: () => { err_code?: number; code?: number; description?: string };
}

/** The one-line text for any error a command throws, e.g. `stream not found (10059)`. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & ApiErrorLike;
  if (typeof e.apiError === "function") {
    const api = e.apiError();
    const text = api.description ?? e.message;
    return api.err_code ? `${text} (${api.err_code})` : text;
  }
  const cause = (err as { cause?: unknown }).cause;
  const base = e.message.replace(/\s+/g, " ").trim();
  if (cause instanceof Error && cause.message && !base.includes(cause.message)) {
    return `${base}: ${cause.message.replace(/\s+/g, " ").trim()}`;
  }
  return base;
}

/** Wraps an error with what the command was doing, as the nats CLI does ("could not load Stream: ..."). */
export function withContext(context: string, err: unknown): CliError {
  return new CliError(`${context}: ${describeError(err)}`);
}
