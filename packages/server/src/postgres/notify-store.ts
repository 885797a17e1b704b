import type pg from "pg";
import { guardPg, inTransaction, statementsOn, type Statement } from "./query.js";
import {
  NOTIFY_SQL,
  hookParams,
  numbered,
  subParams,
  toHook,
  toSub,
  type HookRow,
  type SubRow,
} from "../notify/notify-sql.js";
import type { NotifyStore, PushSubscriptionRecord, WebhookRecord } from "../notify/notify-store.js";

const SQL = Object.fromEntries(Object.entries(NOTIFY_SQL).map(([k, sql]) => [k, numbered(sql)])) as {
  [K in keyof typeof NOTIFY_SQL]: string;
};

/** The NotifyStore on PostgreSQL (cluster mode); every call is committed when it resolves. The pool belongs to its opener. */
export class PostgresNotifyStore implements NotifyStore {
  private readonly run: Statement;

  constructor(private readonly pool: pg.Pool) {
    this.run = statementsOn(pool, "notify store");
  }

  /** Two statements, not one transaction: a crash between them only leaves one extra row until the next save trims it. */
  async savePushSubscription(sub: PushSubscriptionRecord): Promise<void> {
    await this.run(SQL.upsertSub, subParams(sub));
    await this.run(SQL.trimSubs, [sub.user, sub.user]);
  }

  async deletePushSubscription(user: string, endpoint: string): Promise<boolean> {
    return ((await this.run(SQL.deleteSub, [user, endpoint])).rowCount ?? 0) > 0;
  }

  async forgetPushEndpoint(endpoint: string): Promise<void> {
    await this.run(SQL.forgetEndpoint, [endpoint]);
  }

  async pushSubscriptionsOf(user: string): Promise<PushSubscriptionRecord[]> {
    return (await this.run<SubRow>(SQL.subsOf, [user])).rows.map(toSub);
  }

  async createWebhook(hook: WebhookRecord, maxPerRoom: number): Promise<boolean> {
    return guardPg("notify store", () =>
      inTransaction(this.pool, async (client) => {
        await client.query(SQL.lockRoomHooks, [hook.room]);
        const { rows } = await client.query<{ n: number | string }>(SQL.countHooks, [hook.room]);
        const fits = Number(rows[0]?.n ?? 0) < maxPerRoom; // count(*) always answers one row
        if (fits) await client.query(SQL.insertHook, hookParams(hook));
        return fits;
      }),
    );
  }

  async getWebhook(id: string): Promise<WebhookRecord | undefined> {
    const row = (await this.run<HookRow>(SQL.getHook, [id])).rows[0];
    return row && toHook(row);
  }

  async listWebhooks(room: string): Promise<WebhookRecord[]> {
    return (await this.run<HookRow>(SQL.listHooks, [room])).rows.map(toHook);
  }

  async allWebhooks(): Promise<WebhookRecord[]> {
    return (await this.run<HookRow>(SQL.allHooks, [])).rows.map(toHook);
  }

  async deleteWebhook(room: string, id: string): Promise<boolean> {
    return ((await this.run(SQL.deleteHook, [room, id])).rowCount ?? 0) > 0;
  }

  async setWebhookDelivered(id: string, seq: number): Promise<void> {
    await this.run(SQL.setDelivered, [seq, seq, id]);
  }

  async setWebhookFailing(id: string, since: number, error: string): Promise<void> {
    await this.run(SQL.setFailing, [since, error, id]);
  }

  async ensureSetting(name: string, candidate: string): Promise<string> {
    await this.run(SQL.insertSetting, [name, candidate]);
    const [row] = (await this.run<{ value: string }>(SQL.getSetting, [name])).rows;
    if (!row) throw new Error(`setting ${name} is missing right after it was inserted`);
    return row.value;
  }
}
