import type { Statement } from "better-sqlite3";
import { guardSqlite, type SqliteDb } from "./db.js";
import { NOTIFY_SQL, hookParams, subParams, toHook, toSub, type HookRow, type SubRow } from "../notify/notify-sql.js";
import type { NotifyStore, PushSubscriptionRecord, WebhookRecord } from "../notify/notify-store.js";

/** Storage failures surface as ParleyError("UNAVAILABLE"), as in SqliteStore. */
function guard<T>(fn: () => T): Promise<T> {
  return guardSqlite("notify store", fn);
}

/** The NotifyStore on the embedded SQLite database; each call is committed when it resolves. */
export class SqliteNotifyStore implements NotifyStore {
  private readonly stmts;

  constructor(private readonly db: SqliteDb) {
    const sqlite = Object.entries(NOTIFY_SQL).filter(([k]) => k !== "lockRoomHooks");
    this.stmts = Object.fromEntries(sqlite.map(([k, sql]) => [k, db.prepare(sql)])) as {
      [K in keyof typeof NOTIFY_SQL]: Statement<unknown[]>;
    };
  }

  savePushSubscription(sub: PushSubscriptionRecord): Promise<void> {
    return guard(() =>
      this.db
        .transaction(() => {
          this.stmts.upsertSub.run(...subParams(sub));
          this.stmts.trimSubs.run(sub.user, sub.user);
        })
        .immediate(),
    );
  }

  deletePushSubscription(user: string, endpoint: string): Promise<boolean> {
    return guard(() => this.stmts.deleteSub.run(user, endpoint).changes > 0);
  }

  forgetPushEndpoint(endpoint: string): Promise<void> {
    return guard(() => void this.stmts.forgetEndpoint.run(endpoint));
  }

  pushSubscriptionsOf(user: string): Promise<PushSubscriptionRecord[]> {
    return guard(() => (this.stmts.subsOf.all(user) as SubRow[]).map(toSub));
  }

  createWebhook(hook: WebhookRecord, maxPerRoom: number): Promise<boolean> {
    return guard(() =>
      this.db
        .transaction(() => {
          if ((this.stmts.countHooks.get(hook.room) as { n: number }).n >= maxPerRoom) return false;
          this.stmts.insertHook.run(...hookParams(hook));
          return true;
        })
        .immediate(),
    );
  }

  getWebhook(id: string): Promise<WebhookRecord | undefined> {
    return guard(() => {
      const row = this.stmts.getHook.get(id) as HookRow | undefined;
      return row && toHook(row);
    });
  }

  listWebhooks(room: string): Promise<WebhookRecord[]> {
    return guard(() => (this.stmts.listHooks.all(room) as HookRow[]).map(toHook));
  }

  allWebhooks(): Promise<WebhookRecord[]> {
    return guard(() => (this.stmts.allHooks.all() as HookRow[]).map(toHook));
  }

  deleteWebhook(room: string, id: string): Promise<boolean> {
    return guard(() => this.stmts.deleteHook.run(room, id).changes > 0);
  }

  setWebhookDelivered(id: string, seq: number): Promise<void> {
    return guard(() => void this.stmts.setDelivered.run(seq, seq, id));
  }

  setWebhookFailing(id: string, since: number, error: string): Promise<void> {
    return guard(() => void this.stmts.setFailing.run(since, error, id));
  }

  ensureSetting(name: string, candidate: string): Promise<string> {
    return guard(() => {
      this.stmts.insertSetting.run(name, candidate);
      return (this.stmts.getSetting.get(name) as { value: string }).value;
    });
  }
}
