/**
 * The notifier's tables (push subscriptions, webhooks), written once for
 * SQLite and PostgreSQL with portable types only. Registered into both
 * dialects' migration lists; versions 20 and up belong to notify/.
 */
import type { Migration } from "../store/schema.js";

/** Notify migrations, in version order. Never edit a shipped one; add a new one. */
export const NOTIFY_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: "web push subscriptions",
    up: () => [
      // One row per browser endpoint: a browser that re-subscribes as another user moves the row.
      `CREATE TABLE push_subscriptions (
        endpoint TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        p256dh TEXT NOT NULL,
        auth TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      `CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at)`,
    ],
  },
  {
    version: 21,
    name: "outgoing webhooks with their delivered position",
    up: () => [
      `CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        delivered_seq BIGINT NOT NULL,
        failing_since BIGINT,
        last_error TEXT
      )`,
      `CREATE INDEX webhooks_room ON webhooks (room, created_at)`,
    ],
  },
  {
    version: 22,
    name: "notify settings shared by cluster nodes (the VAPID key pair)",
    up: () => [`CREATE TABLE notify_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`],
  },
];
