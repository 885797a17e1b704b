/**
 * Web Push delivery: `web-push` builds the VAPID `Authorization` header and
 * the RFC 8291 `aes128gcm` body; we send it ourselves through the
 * OutboundPolicy (public addresses only, checked at connect), with our
 * timeout, so the 404/410 answer can remove the subscription.
 */
import type { Logger } from "../logger.js";
import type { PushFanout } from "./notifier.js";
import type { NotifyStore, PushSubscriptionRecord } from "./notify-store.js";
import type { OutboundPolicy, OutboundResponse } from "./outbound.js";
import type { PushPayload } from "./push-payload.js";
import type { VapidKeys } from "./vapid.js";

/** Options of WebPushFanout. */
export interface WebPushFanoutOptions {
  readonly store: NotifyStore;
  /** Sends the pushes, to allowed addresses only. */
  readonly outbound: OutboundPolicy;
  readonly vapid: VapidKeys;
  readonly logger: Logger;
  /** Timeout of one push request. */
  readonly timeoutMs: number;
  /** How long a push service keeps an undelivered push, in seconds. Default one day. */
  readonly ttlSeconds?: number;
  /** Told every outcome (metrics). */
  readonly count?: ((outcome: PushOutcome) => void) | undefined;
}

/** What happened to one push. */
export type PushOutcome = "sent" | "gone" | "failed";

/** Sends a payload to every subscription of a user; a subscription the push service no longer knows is deleted. */
export class WebPushFanout implements PushFanout {
  constructor(private readonly options: WebPushFanoutOptions) {}

  async sendToUser(user: string, payload: PushPayload): Promise<void> {
    const subs = await this.options.store.pushSubscriptionsOf(user).catch((err: unknown) => {
      this.options.logger.warn({ err, user }, "push: reading subscriptions failed");
      return [];
    });
    await Promise.all(
      subs.map(async (sub) => {
        const outcome = await this.send(sub, payload);
        this.options.count?.(outcome);
      }),
    );
  }

  /** One push; never rejects. */
  async send(sub: PushSubscriptionRecord, payload: PushPayload): Promise<PushOutcome> {
    try {
      const res = await this.post(sub, JSON.stringify(payload));
      if (res.status >= 200 && res.status < 300) return "sent";
      if (res.status === 404 || res.status === 410) {
        await this.options.store.forgetPushEndpoint(sub.endpoint);
        this.options.logger.info({ user: sub.user, status: res.status }, "push: subscription gone, removed");
        return "gone";
      }
      this.options.logger.warn({ user: sub.user, status: res.status }, "push: push service refused");
    } catch (err) {
      this.options.logger.warn({ err, user: sub.user }, "push: request failed");
    }
    return "failed";
  }

  private async post(sub: PushSubscriptionRecord, body: string): Promise<OutboundResponse> {
    const { vapid, timeoutMs, ttlSeconds, outbound } = this.options;
    // Loaded on the first push, not at start: the module and its crypto dependencies cost a start ~40 ms of CPU.
    const { default: webpush } = await import("web-push");
    const details = webpush.generateRequestDetails(
      { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      body,
      { vapidDetails: vapid, TTL: ttlSeconds ?? 86_400, contentEncoding: "aes128gcm" },
    );
    const headers = details.headers as Record<string, string>;
    return outbound.post(details.endpoint, headers, details.body as Buffer, AbortSignal.timeout(timeoutMs));
  }
}
