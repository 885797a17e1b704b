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
  {
    version: 23,
    name: "push subscriptions keyed by user and endpoint",
    // Keyed by endpoint alone, a second user who learnt the URL could save it and move the owner's row to
    // themselves. Now each user's row is their own; only the push service's 404/410 drops all of an endpoint.
    up: (d) => [
      `CREATE TABLE push_subscriptions_v23 (
        user_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        p256dh TEXT NOT NULL,
        auth TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, endpoint)
      )${d.clusteredSuffix}`,
      `INSERT INTO push_subscriptions_v23 (user_id, endpoint, p256dh, auth, created_at)
        SELECT user_id, endpoint, p256dh, auth, created_at FROM push_subscriptions`,
      `DROP TABLE push_subscriptions`,
      `ALTER TABLE push_subscriptions_v23 RENAME TO push_subscriptions`,
      `CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at)`,
      `CREATE INDEX push_subscriptions_endpoint ON push_subscriptions (endpoint)`,
    ],
  },
];
