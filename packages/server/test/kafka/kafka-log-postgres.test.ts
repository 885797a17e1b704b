import { pino } from "pino";
import { describeEventLogContract } from "../log/event-log-contract.js";
import { SinkService } from "#server/sink/sink-service.js";
import { PostgresEvents } from "#server/postgres/events.js";
import { PostgresHistory } from "#server/postgres/history.js";
import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";
import { kafkaLogFixture } from "../support/kafka-contract-fixture.js";
import { testCluster } from "../support/test-kafka.js";
import { PostgresSinkPositions } from "#server/postgres/sink-positions.js";

// The EventLog contract in the production shape of cluster mode: reads come from
// PostgreSQL, filled by the real sink, plus the gateway's recent-events buffer.
describeEventLogContract("KafkaLog + SequencerService + sink → PostgreSQL (real broker and database)", async () => {
  const cluster = testCluster("contract-pg");
  const schema = uniqueSchema("contract");
  const db = await openTestDb(schema);
  const events = new PostgresEvents(db.pool);
  const sink = new SinkService({
    brokers: cluster.brokers,
    topicPrefix: cluster.topicPrefix ?? "parley.",
    events,
    positions: new PostgresSinkPositions(db.pool),
    logger: pino({ level: "silent" }),
    sessionTimeoutMs: 3000,
  });
  const fixture = await kafkaLogFixture(cluster, new PostgresHistory(events), async () => {
    await sink.stop();
    await db.close();
    await dropSchema(schema);
  });
  await sink.start();
  return fixture;
});
