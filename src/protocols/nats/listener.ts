// The TCP listener for NATS clients: accepts sockets and hands each to a new connection.

import { createServer, type Server as NetServer, type Socket } from "node:net";
import { SocketTransport, type Transport } from "./transport.js";

export type AcceptTransport = (transport: Transport) => void;

export interface BoundListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** `wrap` builds the transport for each socket (TLS); its sockets start paused so it sees every byte. */
export function listenTcp(
  host: string,
  port: number,
  accept: AcceptTransport,
  wrap?: (socket: Socket) => Transport,
): Promise<BoundListener> {
  const server: NetServer = createServer(
    { noDelay: true, pauseOnConnect: wrap !== undefined },
    (socket: Socket) => {
      accept(wrap === undefined ? new SocketTransport(socket) : wrap(socket));
    },
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off("error", reject);
      const addr = server.address();
      const boundPort = typeof addr === "object" && addr !== null ? addr.port : port;
      resolve({
        host,
        port: boundPort,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
          }),
      });
    });
  });
}
