import { describeEventLogContract } from "../log/event-log-contract.js";
import { KafkaLog } from "./kafka-log.js";
import { MemoryHistorySource } from "./memory-history-source.js";
import { SequencerService } from "./sequencer-service.js";
import { deleteTestTopics, testCluster } from "./test-kafka.js";

// The EventLog contract against a gateway's KafkaLog, a sequencer and an
// in-memory history fed from the events topic (the PostgreSQL run adds the real sink).
describeEventLogContract("KafkaLog + SequencerService (real broker)", async () => {
  const cluster = testCluster("contract");
  const history = new MemoryHistorySource(cluster);
  const open = async () => {
    const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 3000 });
    await sequencer.start();
    const log = new KafkaLog({ cluster, history });
    await log.start();
    return { sequencer, log };
  };
  let current = await open();
  await history.start();
  const closeCurrent = async () => {
    await current.log.close();
    await current.sequencer.close();
  };
  return {
    get log() {
      return current.log;
    },
    async restart() {
      await closeCurrent();
      current = await open();
      return current.log;
    },
    async dispose() {
      await closeCurrent();
      await history.close();
      await deleteTestTopics(cluster);
    },
  };
});
