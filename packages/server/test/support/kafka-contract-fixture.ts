/**
 * Test support: a gateway KafkaLog and a sequencer on `cluster`, reading
 * history from `history`, shaped as the EventLog contract suite's factory.
 * `restart` replaces both (the history source stays), `dispose` also runs
 * `disposeExtra` and deletes the topics.
 */
import type { EventLogFixture } from "../log/event-log-contract.js";
import type { HistorySource } from "#server/log/history-source.js";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { SequencerService } from "#server/kafka/sequencer/sequencer-service.js";
import { deleteTestTopics } from "./test-kafka.js";
import type { KafkaClusterOptions } from "#server/kafka/topics.js";

/** Opens a log + sequencer pair and returns the contract fixture around it. */
export async function kafkaLogFixture(
  cluster: KafkaClusterOptions,
  history: HistorySource,
  disposeExtra: () => Promise<void>,
): Promise<EventLogFixture> {
  const open = async () => {
    const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 3000 });
    await sequencer.start();
    const log = new KafkaLog({ cluster, history });
    await log.start();
    return { sequencer, log };
  };
  let current = await open();
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
      await disposeExtra();
      await deleteTestTopics(cluster);
    },
  };
}
