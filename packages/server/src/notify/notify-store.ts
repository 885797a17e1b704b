/** A browser's push subscription (the PushSubscription JSON's endpoint and keys), owned by one user. */
export interface PushSubscriptionRecord {
  readonly user: string;
  /** The push service URL: one browser profile, one endpoint; unique per user (a row is keyed by user and endpoint). */
  readonly endpoint: string;
  /** The browser's P-256 ECDH public key, base64url (uncompressed point, 65 bytes). */
  readonly p256dh: string;
  /** The 16-byte auth secret, base64url. */
  readonly auth: string;
  readonly createdAt: number;
}

/** An outgoing webhook of one room, with its delivery state. */
export interface WebhookRecord {
  readonly id: string;
  readonly room: string;
  readonly url: string;
  /** HMAC key of `parley-signature`; never returned by the REST list. */
  readonly secret: string;
  readonly createdBy: string;
  readonly createdAt: number;
  /** Every event with seq ≤ this was delivered (2xx). */
  readonly deliveredSeq: number;
  /** When the current run of failed deliveries exhausted its retries; undefined while healthy. */
  readonly failingSince?: number | undefined;
  readonly lastError?: string | undefined;
}

/** Most push subscriptions one user keeps; a new one beyond it replaces the oldest. */
export const MAX_PUSH_SUBSCRIPTIONS_PER_USER = 20;

/**
 * The notifier's persistent state.
 *
 * Contract (every implementation passes `describeNotifyStoreContract`):
 * - `savePushSubscription` upserts by (user, endpoint): the same user re-subscribing
 *   keeps one row; another user saving the same endpoint gets a row of their own and
 *   never changes or removes the first user's. It keeps at most
 *   MAX_PUSH_SUBSCRIPTIONS_PER_USER per user, dropping the oldest.
 * - Deletes are idempotent and say whether a row went.
 * - `setWebhookDelivered` never moves a position backwards, and clears the failing state.
 * - `ensureSetting` is atomic: concurrent callers all get the same, first stored value.
 * - Everything written has been committed when the promise resolves.
 */
export interface NotifyStore {
  savePushSubscription(sub: PushSubscriptionRecord): Promise<void>;
  /** Removes `endpoint` when it belongs to `user`. */
  deletePushSubscription(user: string, endpoint: string): Promise<boolean>;
  /** Removes `endpoint` whoever owns it (the push service said it is gone). */
  forgetPushEndpoint(endpoint: string): Promise<void>;
  pushSubscriptionsOf(user: string): Promise<PushSubscriptionRecord[]>;
  /**
   * Stores `hook` unless its room already has `maxPerRoom` hooks, and says whether it did. Atomic:
   * concurrent creates in one room never leave more than `maxPerRoom` (SQLite: one immediate
   * transaction; PostgreSQL: count and insert under a per-room advisory transaction lock).
   */
  createWebhook(hook: WebhookRecord, maxPerRoom: number): Promise<boolean>;
  getWebhook(id: string): Promise<WebhookRecord | undefined>;
  /** The room's hooks, oldest first. */
  listWebhooks(room: string): Promise<WebhookRecord[]>;
  /** Every hook of every room (the dispatcher's start). */
  allWebhooks(): Promise<WebhookRecord[]>;
  deleteWebhook(room: string, id: string): Promise<boolean>;
  setWebhookDelivered(id: string, seq: number): Promise<void>;
  setWebhookFailing(id: string, since: number, error: string): Promise<void>;
  /** The stored value of setting `name`, storing `candidate` first if there is none (the first writer wins). */
  ensureSetting(name: string, candidate: string): Promise<string>;
}
