// The one error type for configuration problems: names the file, line and column like
// nats-server does (`<file>:<line>:<col>: <reason>`), so users can jump straight to the spot.

/** Where something sits in a configuration file; line and col are 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** The file label used when text is parsed without a file name. */
export const NO_FILE = "<input>";

export class ConfigError extends Error {
  readonly file: string;
  /** 1-based; 0 when the problem has no position (e.g. the file could not be read). */
  readonly line: number;
  readonly col: number;
  readonly reason: string;

  constructor(reason: string, pos?: Partial<SourcePos>) {
    const file = pos?.file || NO_FILE;
    const line = pos?.line ?? 0;
    const col = pos?.col ?? 0;
    super(line > 0 ? `${file}:${line}:${col}: ${reason}` : `${file}: ${reason}`);
    this.name = "ConfigError";
    this.file = file;
    this.line = line;
    this.col = col;
    this.reason = reason;
  }
}
