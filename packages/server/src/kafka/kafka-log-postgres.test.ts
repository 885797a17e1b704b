import { pino } from "pino";
import { describeEventLogContract } from "../log/event-log-contract.js";
import { SinkService } from "../sink/sink-service.js";
import { PostgresEvents } from "../store/postgres-events.js";
import { PostgresHistory } from "../store/postgres-history.js";
import { dropSchema, openTestDb, uniqueSchema } from "../store/postgres-test-db.js";
import { KafkaLog } from "./kafka-log.js";
import { SequencerService } from "./sequencer-service.js";
import { deleteTestTopics, testCluster } from "./test-kafka.js";

// The EventLog contract in the production shape of cluster mode: reads come from
// PostgreSQL, filled by the real sink, plus the gateway's recent-events buffer.
describeEventLogContract("KafkaLog + SequencerService + sink → PostgreSQL (real broker and database)", async () => {
  const cluster = testCluster("contract-pg");
  const schema = uniqueSchema("contract");
  const db = await openTestDb(schema);
  const events = new PostgresEvents(db.pool);
  const history = new PostgresHistory(events);
  const open = async () => {
    const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 3000 });
    await sequencer.start();
    const log = new KafkaLog({ cluster, history });
    await log.start();
    return { sequencer, log };
  };
  let current = await open();
  const sink = new SinkService({
    brokers: cluster.brokers,
    topicPrefix: cluster.topicPrefix ?? "parley.",
    events,
    logger: pino({ level: "silent" }),
    sessionTimeoutMs: 3000,
  });
  await sink.start();
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
      await sink.stop();
      await db.close();
      await dropSchema(schema);
      await deleteTestTopics(cluster);
    },
  };
});
