import assert from "node:assert/strict";
import { test } from "node:test";
import { SequencerService } from "#server/kafka/sequencer/sequencer-service.js";
import { deleteTestTopics, testCluster } from "../support/test-kafka.js";

test("a sequencer whose session the broker refuses fails to start naming the broker setting and the flag", async () => {
  // The test broker allows sessions from 500 ms (scripts/kafka/start.sh); a stock broker from 6000 ms.
  const cluster = testCluster("session", 1);
  const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 300, heartbeatIntervalMs: 100 });
  try {
    await assert.rejects(sequencer.start(), (err: Error) => {
      assert.match(err.message, /broker refuses a consumer-group session of 300 ms/);
      assert.match(err.message, /group\.min\.session\.timeout\.ms to at most 300/);
      assert.match(err.message, /--kafka-session-timeout-ms/);
      return true;
    });
  } finally {
    await sequencer.close();
    await deleteTestTopics(cluster);
  }
});
