/** @parley/client for browsers: the global WebSocket and an IndexedDB outbox that survives reloads. */
import { ParleyClient as CoreClient } from "./client.js";
import { IndexedDbOutboxStorage } from "./outbox-indexeddb.js";
import type { ParleyClientOptions } from "./options.js";

export * from "./index.js";

/** A ParleyClient whose outbox is persisted in IndexedDB (when available) unless `outbox` is given. */
export class ParleyClient extends CoreClient {
  constructor(options: ParleyClientOptions) {
    const outbox = options.outbox ?? (globalThis.indexedDB ? new IndexedDbOutboxStorage() : undefined);
    super(outbox ? { ...options, outbox } : options);
  }
}
