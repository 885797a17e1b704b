import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteDb } from "../store/sqlite-db.js";
import { describeNotifyStoreContract } from "./notify-store-contract.js";
import { SqliteNotifyStore } from "./sqlite-notify-store.js";

describeNotifyStoreContract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-notify-"));
  let db = openSqliteDb({ dataDir: dir, durability: "normal" });
  return {
    store: new SqliteNotifyStore(db),
    async reopen() {
      db.close();
      db = openSqliteDb({ dataDir: dir, durability: "normal" });
      return new SqliteNotifyStore(db);
    },
    async dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
