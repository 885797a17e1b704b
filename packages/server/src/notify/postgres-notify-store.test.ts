import { dropSchema, openTestDb, uniqueSchema } from "../store/postgres-test-db.js";
import { describeNotifyStoreContract } from "./notify-store-contract.js";
import { PostgresNotifyStore } from "./postgres-notify-store.js";

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
