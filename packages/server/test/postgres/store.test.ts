import { describeStoreContract } from "../store/store-contract.js";
import { PostgresStore } from "#server/postgres/store.js";
import { PostgresEvents } from "#server/postgres/events.js";
import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";

describeStoreContract("PostgreSQL", async () => {
  const schema = uniqueSchema("store");
  let db = await openTestDb(schema);
  return {
    store: new PostgresStore(db.pool),
    async reopen() {
      await db.close();
      db = await openTestDb(schema);
      return new PostgresStore(db.pool);
    },
    async dispose() {
      await db.close();
      await dropSchema(schema);
    },
    async writeEvents(events) {
      await new PostgresEvents(db.pool).insertBatch(events.map((event) => ({ event, epoch: "contract-epoch" })));
    },
  };
});
