/**
 * Cluster mode: exactly one sink process delivers webhooks, the holder of a
 * PostgreSQL session advisory lock. The lock lives as long as its connection,
 * so a dead holder (crash, network cut) frees it and another sink takes over
 * within `retryMs`, resuming each hook from its persisted position.
 */
import type pg from "pg";
import type { Logger } from "../logger.js";

/** An arbitrary, stable key ("wbhk"), apart from the migration lock's. */
export const WEBHOOK_LOCK_KEY = 0x7762686b;

/** Runs `lead` while this process holds the lock and `abdicate` when it loses it. */
export class PostgresLeadership {
  private client: pg.PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly retryMs = 2000,
  ) {}

  start(lead: () => Promise<void>, abdicate: () => Promise<void>): void {
    const attempt = async (): Promise<void> => {
      if (this.stopped) return;
      if (!(await this.acquire(() => void abdicate().finally(() => this.schedule(attempt))))) {
        return this.schedule(attempt);
      }
      this.logger.info("webhook leader: this node delivers webhooks");
      await lead();
    };
    void attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query("SELECT pg_advisory_unlock($1)", [WEBHOOK_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }

  private schedule(attempt: () => Promise<void>): void {
    if (!this.stopped) this.timer = setTimeout(() => void attempt(), this.retryMs);
  }

  /** True when the lock is now held on a dedicated connection; `lost` runs if that connection dies. */
  private async acquire(lost: () => void): Promise<boolean> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [WEBHOOK_LOCK_KEY]);
      if (!rows[0]?.ok) {
        client.release();
        return false;
      }
    } catch (err) {
      client?.release(true);
      this.logger.warn({ err }, "webhook leader: lock attempt failed");
      return false;
    }
    this.client = client;
    client.once("error", (err) => {
      this.logger.warn({ err }, "webhook leader: lost the lock connection");
      if (this.client === client) this.client = undefined;
      client.release(true);
      lost();
    });
    return true;
  }
}
