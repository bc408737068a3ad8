// Server-wide counters, bumped on the hot path as plain numbers and read by monitoring.

export class ServerStats {
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  slowConsumers = 0;
  totalConnections = 0;
  readonly start = new Date();
}
