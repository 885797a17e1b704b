import { describeEventLogContract } from "./event-log-contract.js";
import { MemoryLog } from "../support/memory-log.js";

// The gateway tests run on MemoryLog: the same contract as the real logs keeps them honest.
// Not durable: `restart` gives a new, empty log, and the clauses that read a log back after one are not registered.
describeEventLogContract(
  "MemoryLog (test double)",
  async () => {
    let log = new MemoryLog();
    await log.start();
    return {
      get log() {
        return log;
      },
      async restart() {
        await log.close();
        log = new MemoryLog();
        await log.start();
        return log;
      },
      dispose: () => log.close(),
    };
  },
  { durable: false },
);
