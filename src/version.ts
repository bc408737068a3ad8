// Versions: natsgate's own, and the nats-server version whose feature set it implements
// (clients switch features on by the INFO `version`).

export const NATSGATE_VERSION = "0.1.0";
export const NATS_SERVER_COMPAT_VERSION = "2.9.10";
export const GO_VERSION_FIELD = "natsgate";
