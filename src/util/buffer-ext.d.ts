// Node's fast, undocumented-in-types Buffer writers used on the hot path (present since Node 0.x).
declare global {
  interface Buffer {
    utf8Write(s: string, offset?: number, length?: number): number;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
export {};
