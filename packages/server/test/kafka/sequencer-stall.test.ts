import assert from "node:assert/strict";
import { test } from "node:test";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { MemoryHistorySource } from "../support/memory-history-source.js";
import { SequencerService } from "#server/kafka/sequencer/sequencer-service.js";
import { deleteTestTopics, roomsOnEveryPartition, testCluster } from "../support/test-kafka.js";

const PARTITIONS = 12;

test(
  "a sequencer whose event loop stalls past its session timeout owns every partition again",
  { timeout: 90_000 },
  async () => {
    const cluster = testCluster("stall", PARTITIONS);
    const history = new MemoryHistorySource(cluster);
    const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 3000 });
    const log = new KafkaLog({ cluster, history, appendTimeoutMs: 15_000 });
    try {
      await Promise.all([sequencer.start(), log.start(), history.start()]);
      const rooms = roomsOnEveryPartition(`stall-${cluster.topicPrefix}`, PARTITIONS);
      let n = 0;
      const publishAll = () =>
        Promise.all(rooms.map((room) => log.append({ room, cmid: `c${n++}`, from: "u", kind: "message", body: {} })));
      await publishAll();
      // A loaded process: nothing runs, no heartbeat goes out, for longer than the session timeout.
      const until = Date.now() + 5000;
      while (Date.now() < until);
      await new Promise((r) => setTimeout(r, 10_000));
      assert.deepEqual(sequencer.owned(), [...Array(PARTITIONS).keys()]);
      await publishAll();
    } finally {
      await log.close();
      await sequencer.close();
      await history.close();
      await deleteTestTopics(cluster);
    }
  },
);
