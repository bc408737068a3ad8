// The byte pipe under a client connection (TCP socket, WebSocket frames), shared by the protocol
// edges so each protocol's connection logic is written once and never imports another edge.

export interface TransportEvents {
  data(chunk: Buffer): void;
  drain(): void;
  closed(error?: Error): void;
}

export interface Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Bytes accepted by write() that the OS has not taken yet. */
  readonly bufferedBytes: number;
  /** Writes the chunks in order as one batch; returns false when the transport wants a drain. */
  write(chunks: Buffer[]): boolean;
  /** Flushes what is written, then closes. */
  end(): void;
  /** Closes at once, dropping unwritten bytes. */
  destroy(): void;
  start(events: TransportEvents): void;
  /** Names from a verified client certificate for TLS verify_and_map (see auth/authenticator.ts AuthContext). */
  certNames?(): string[] | undefined;
}
