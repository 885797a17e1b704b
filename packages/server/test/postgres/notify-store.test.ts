import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";
import { describeNotifyStoreContract } from "../notify/notify-store-contract.js";
import { PostgresNotifyStore } from "#server/postgres/notify-store.js";

describeNotifyStoreContract("PostgreSQL", async () => {
  const schema = uniqueSchema("notify");
  let db = await openTestDb(schema);
  return {
    store: new PostgresNotifyStore(db.pool),
    async reopen() {
      await db.close();
      db = await openTestDb(schema);
      return new PostgresNotifyStore(db.pool);
    },
    async dispose() {
      await db.close();
      await dropSchema(schema);
    },
  };
});
