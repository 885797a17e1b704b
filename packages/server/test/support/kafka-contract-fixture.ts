/**
 * Test support: a gateway KafkaLog and a sequencer on `cluster`, reading
 * history from `history`, shaped as the EventLog contract suite's factory.
 * With `routing: "redistributed"` a redistributor runs beside them and the
 * log follows rooms through it, forwarded over Kafka or (`forwarding: "direct"`) a WebSocket. `restart` replaces them all (the history
 * source stays), `dispose` also runs `disposeExtra` and deletes the topics.
 */
import type { EventLogFixture } from "../log/event-log-contract.js";
import type { HistorySource } from "#server/log/history-source.js";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { SequencerService } from "#server/kafka/sequencer/sequencer-service.js";
import { RedistributorService } from "#server/kafka/redistributor/redistributor-service.js";
import { DirectForwardReceiver } from "#server/kafka/direct-forwarding.js";
import { deleteTestTopics } from "./test-kafka.js";
import type { KafkaClusterOptions } from "#server/kafka/topics.js";

/** Opens a log + sequencer pair and returns the contract fixture around it. */
export async function kafkaLogFixture(
  cluster: KafkaClusterOptions,
  history: HistorySource,
  disposeExtra: () => Promise<void>,
  routing: { routing: "everything" | "redistributed"; forwarding?: "kafka" | "direct" } = { routing: "everything" },
): Promise<EventLogFixture> {
  const { forwarding = "kafka" } = routing;
  const local = { listenHost: "127.0.0.1", advertiseHost: "127.0.0.1" };
  const forward = forwarding === "direct" ? { forward: () => new DirectForwardReceiver(local) } : {};
  const open = async () => {
    const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 3000 });
    await sequencer.start();
    const redistributor = routing.routing === "redistributed" ? new RedistributorService({ cluster }) : undefined;
    await redistributor?.start();
    const log = new KafkaLog({ cluster, history, routing: routing.routing, ...forward });
    await log.start();
    return { sequencer, redistributor, log };
  };
  let current = await open();
  const closeCurrent = async () => {
    await current.log.close();
    await current.redistributor?.close();
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
