// Builds a message store from a config: the one place that picks a concrete store (server.ts
// hands this factory to JetStream, which only knows the MessageStore interface).

import { FileStore } from "./file-store.js";
import { MemoryStore } from "./memory-store.js";
import type { MessageStore, MessageStoreConfig, MessageStoreFactory } from "./store.js";

export const createMessageStore: MessageStoreFactory = (config: MessageStoreConfig): MessageStore => {
  if (config.storage === "memory") return new MemoryStore({ limits: config.limits });
  if (config.dir === undefined || config.dir === "") {
    throw new Error("a file message store needs a directory");
  }
  return new FileStore({
    dir: config.dir,
    limits: config.limits,
    blockSize: config.blockSize,
    syncAlways: config.syncAlways,
    syncIntervalMs: config.syncIntervalMs,
  });
};
