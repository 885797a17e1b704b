import { describeEventLogContract } from "../../log/event-log-contract.js";
import { kafkaLogFixture } from "../../support/kafka-contract-fixture.js";
import { MemoryHistorySource } from "../../support/memory-history-source.js";
import { testCluster } from "../../support/test-kafka.js";

// The EventLog contract against a gateway's KafkaLog with redistributed routing: it reads no events
// partition, only what a RedistributorService forwards to it for the rooms it follows.
describeEventLogContract("KafkaLog, redistributed routing (real broker)", async () => {
  const cluster = testCluster("redistributed");
  const history = new MemoryHistorySource(cluster);
  const fixture = await kafkaLogFixture(cluster, history, () => history.close(), { routing: "redistributed" });
  await history.start();
  return fixture;
});
