import { describeEventLogContract } from "../../log/event-log-contract.js";
import { kafkaLogFixture } from "../../support/kafka-contract-fixture.js";
import { MemoryHistorySource } from "../../support/memory-history-source.js";
import { testCluster } from "../../support/test-kafka.js";

// The EventLog contract against a redistributed KafkaLog whose redistributor delivers over a direct
// WebSocket (kafka/direct-forwarding.ts) instead of the gateway's forward topic.
describeEventLogContract("KafkaLog, redistributed routing, direct forwarding (real broker)", async () => {
  const cluster = testCluster("redistributed-direct");
  const history = new MemoryHistorySource(cluster);
  const fixture = await kafkaLogFixture(cluster, history, () => history.close(), {
    routing: "redistributed",
    forwarding: "direct",
  });
  await history.start();
  return fixture;
});
