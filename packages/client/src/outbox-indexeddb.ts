import type { OutboxEntry, OutboxStorage } from "./outbox-storage.js";

/** Options of the IndexedDB outbox. */
export interface IndexedDbOutboxOptions {
  /** Database name; use one per account if several users share a browser profile. Default `parley-outbox`. */
  name?: string;
  /** The IndexedDB factory; defaults to `globalThis.indexedDB`. */
  indexedDB?: IDBFactory;
}

const STORE = "entries";

/**
 * An outbox that survives page reloads and browser restarts. The database is
 * opened and its entries read on construction, so by the time the client
 * connects, messages from a previous page are ready to be resent.
 */
export class IndexedDbOutboxStorage implements OutboxStorage {
  readonly #db: Promise<IDBDatabase>;
  #preloaded: Promise<OutboxEntry[]> | undefined;

  constructor(options: IndexedDbOutboxOptions = {}) {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (!factory) throw new Error("parley: IndexedDB is not available in this runtime");
    this.#db = openDatabase(factory, options.name ?? "parley-outbox");
    this.#preloaded = this.#readAll();
    // The preload is consumed by the first load(); an early failure must not go unhandled.
    this.#preloaded.catch(() => undefined);
  }

  async load(): Promise<OutboxEntry[]> {
    const preloaded = this.#preloaded;
    this.#preloaded = undefined;
    return preloaded ?? this.#readAll();
  }

  async put(entry: OutboxEntry): Promise<void> {
    await this.#write((store) => store.put(entry));
  }

  async remove(cmid: string): Promise<void> {
    await this.#write((store) => store.delete(cmid));
  }

  /** Closes the database connection (e.g. before deleting the database in tests). */
  async close(): Promise<void> {
    (await this.#db).close();
  }

  async #readAll(): Promise<OutboxEntry[]> {
    const db = await this.#db;
    const tx = db.transaction(STORE, "readonly");
    const entries = await requestResult<OutboxEntry[]>(tx.objectStore(STORE).getAll());
    return entries.sort((a, b) => a.order - b.order);
  }

  /** Resolves when the transaction commits, not merely when the request succeeds: that is the durability point. */
  async #write(operation: (store: IDBObjectStore) => IDBRequest): Promise<void> {
    const db = await this.#db;
    const tx = db.transaction(STORE, "readwrite");
    operation(tx.objectStore(STORE));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("parley: outbox write failed"));
      tx.onabort = () => reject(tx.error ?? new Error("parley: outbox write aborted"));
    });
  }
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE))
        request.result.createObjectStore(STORE, { keyPath: "cmid" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("parley: cannot open the outbox database"));
  });
}

function requestResult<T>(request: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error ?? new Error("parley: outbox read failed"));
  });
}
