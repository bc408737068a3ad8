// The TCP listener for MQTT clients: accepts sockets and hands each to a new MQTT connection.

import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { Transport } from "../../core/transport.js";
import { SocketTransport } from "../../util/socket-transport.js";

export interface MqttBoundListener {
  readonly port: number;
  close(): Promise<void>;
}

export function listenMqtt(
  host: string,
  port: number,
  accept: (t: Transport) => void,
): Promise<MqttBoundListener> {
  const server: NetServer = createServer({ noDelay: true }, (socket: Socket) =>
    accept(new SocketTransport(socket)),
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve({
        port: typeof addr === "object" && addr !== null ? addr.port : port,
        close: () => new Promise<void>((res) => server.close(() => res())),
      });
    });
  });
}
