import { describeStoreContract } from "./store-contract.js";
import { MemoryStore } from "../support/memory-store.js";

// The gateway and notifier tests run on MemoryStore: the same contract as the real stores keeps them honest.
// Not durable (nothing to reopen) and without chat reads (it sees no events): those clauses are not registered.
describeStoreContract(
  "MemoryStore (test double)",
  async () => {
    const store = new MemoryStore();
    await store.start();
    return { store, dispose: () => store.close() };
  },
  { durable: false, chatReads: false },
);
