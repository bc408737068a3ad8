// Node's fast, undocumented-in-types Buffer writers used on the hot path (present since Node 0.x).
declare global {
  interface Buffer {
    utf8Write(s: string, offset?: number, length?: number): number;
    latin1Write(s: string, offset?: number, length?: number): number;
    /** toString("utf8", start, end) without the encoding lookup (half the cost for short strings). */
    utf8Slice(start: number, end: number): string;
  }
}

export {};
