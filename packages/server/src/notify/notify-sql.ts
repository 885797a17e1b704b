/**
 * The notify store's SQL, written once with `?` placeholders (SQLite's) and
 * numbered for PostgreSQL by `numbered`; both dialects run the same statements.
 */
import { MAX_PUSH_SUBSCRIPTIONS_PER_USER, type PushSubscriptionRecord, type WebhookRecord } from "./notify-store.js";

const SUB_COLUMNS = "endpoint, user_id, p256dh, auth, created_at";
const HOOK_COLUMNS = "id, room, url, secret, created_by, created_at, delivered_seq, failing_since, last_error";

/** Every statement, with the order of its parameters in the comment when it is not obvious. */
export const NOTIFY_SQL = {
  upsertSub: `INSERT INTO push_subscriptions (${SUB_COLUMNS}) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (user_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh,
    auth = excluded.auth, created_at = excluded.created_at`,
  // (user, user): keeps the newest MAX per user.
  trimSubs: `DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint NOT IN (
    SELECT endpoint FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, endpoint DESC
    LIMIT ${MAX_PUSH_SUBSCRIPTIONS_PER_USER})`,
  deleteSub: "DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?",
  forgetEndpoint: "DELETE FROM push_subscriptions WHERE endpoint = ?",
  subsOf: `SELECT ${SUB_COLUMNS} FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, endpoint`,
  insertHook: `INSERT INTO webhooks (${HOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  countHooks: "SELECT count(*) AS n FROM webhooks WHERE room = ?",
  // Serializes creates per room (PostgreSQL only; SQLite has one writer).
  lockRoomHooks: "SELECT pg_advisory_xact_lock(hashtext('parley.webhooks:' || ?))",
  getHook: `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE id = ?`,
  listHooks: `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE room = ? ORDER BY created_at, id`,
  allHooks: `SELECT ${HOOK_COLUMNS} FROM webhooks ORDER BY created_at, id`,
  deleteHook: "DELETE FROM webhooks WHERE room = ? AND id = ?",
  // (seq, seq, id): monotonic, and a delivery ends a failing run.
  setDelivered: `UPDATE webhooks SET delivered_seq = CASE WHEN delivered_seq < ? THEN ? ELSE delivered_seq END,
    failing_since = NULL, last_error = NULL WHERE id = ?`,
  setFailing: "UPDATE webhooks SET failing_since = ?, last_error = ? WHERE id = ?",
  insertSetting: "INSERT INTO notify_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
  getSetting: "SELECT value FROM notify_settings WHERE name = ?",
} as const;

/** `?` placeholders as `$1, $2, …` for PostgreSQL. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A push_subscriptions row as both drivers return it (BIGINTs as numbers). */
export interface SubRow {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
  created_at: number;
}

/** A webhooks row. */
export interface HookRow {
  id: string;
  room: string;
  url: string;
  secret: string;
  created_by: string;
  created_at: number;
  delivered_seq: number;
  failing_since: number | null;
  last_error: string | null;
}

export function subParams(s: PushSubscriptionRecord): unknown[] {
  return [s.endpoint, s.user, s.p256dh, s.auth, s.createdAt];
}

export function toSub(r: SubRow): PushSubscriptionRecord {
  return { user: r.user_id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth, createdAt: r.created_at };
}

export function hookParams(h: WebhookRecord): unknown[] {
  const failing = [h.failingSince ?? null, h.lastError ?? null];
  return [h.id, h.room, h.url, h.secret, h.createdBy, h.createdAt, h.deliveredSeq, ...failing];
}

export function toHook(r: HookRow): WebhookRecord {
  return {
    id: r.id,
    room: r.room,
    url: r.url,
    secret: r.secret,
    createdBy: r.created_by,
    createdAt: r.created_at,
    deliveredSeq: r.delivered_seq,
    ...(r.failing_since !== null && { failingSince: r.failing_since }),
    ...(r.last_error !== null && { lastError: r.last_error }),
  };
}
