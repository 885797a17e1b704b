import { describeEventLogContract } from "../../log/event-log-contract.js";
import { kafkaLogFixture } from "../../support/kafka-contract-fixture.js";
import { MemoryHistorySource } from "../../support/memory-history-source.js";
import { testCluster } from "../../support/test-kafka.js";

// The EventLog contract against a gateway's KafkaLog, a sequencer and an
// in-memory history fed from the events topic (kafka-log-postgres.test.ts runs it with the real sink).
describeEventLogContract("KafkaLog + SequencerService (real broker)", async () => {
  const cluster = testCluster("contract");
  const history = new MemoryHistorySource(cluster);
  const fixture = await kafkaLogFixture(cluster, history, () => history.close());
  await history.start();
  return fixture;
});
