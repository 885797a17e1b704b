/**
 * Delivers one hook's room events in seq order, one at a time: read from the
 * log after the persisted position, POST, persist the new position, repeat.
 * The position is written after each 2xx, so a crash re-sends at most the
 * event in flight (at-least-once; receivers dedupe by `parley-event-id`).
 * A failing event is retried with full-jitter backoff; after `maxAttempts`
 * the hook is marked failing and pauses, then tries the same event again:
 * it never skips, so order and completeness hold once the receiver is back.
 */
import type { RoomEvent } from "@parley/protocol";
import type { Logger } from "../logger.js";
import type { NotifyStore, WebhookRecord } from "./notify-store.js";
import type { OutboundPolicy } from "./outbound.js";
import { retryDelay, webhookRequest } from "./webhook-request.js";

/** The timing of deliveries (from the webhook* options). */
export interface WebhookTiming {
  readonly webhookMaxAttempts: number;
  readonly webhookRetryBaseMs: number;
  readonly webhookRetryMaxMs: number;
  readonly webhookPauseMs: number;
  readonly webhookTimeoutMs: number;
}

/** What a worker uses. */
export interface WebhookWorkerDeps {
  readonly read: (room: string, afterSeq: number, limit: number) => Promise<RoomEvent[]>;
  readonly store: NotifyStore;
  /** Sends the POSTs, to allowed addresses only. */
  readonly outbound: OutboundPolicy;
  readonly timing: WebhookTiming;
  readonly logger: Logger;
  /**
   * How often an idle worker looks for new events without a wake-up: a missed
   * wake costs at most this. Default 30 s; cluster mode polls every second,
   * since the delivering sink only sees its own partitions' events live.
   */
  readonly idlePollMs?: number;
  /** Told every attempt's outcome (metrics). */
  readonly count?: ((outcome: "delivered" | "failed" | "failing") => void) | undefined;
}

const PAGE = 100;

export class WebhookWorker {
  private position: number;
  private stopped = false;
  private woken = false;
  private wakeSleep: (() => void) | undefined;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly hook: WebhookRecord,
    private readonly deps: WebhookWorkerDeps,
  ) {
    this.position = hook.deliveredSeq;
  }

  start(): void {
    this.done = this.run().catch((err: unknown) =>
      this.deps.logger.error({ err, hook: this.hook.id }, "webhook worker died"),
    );
  }

  /** New events may be in the log. */
  wake(): void {
    this.woken = true;
    this.wakeSleep?.();
  }

  /** Ends the worker; a POST in flight is aborted (its event is sent again by the next owner). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakeSleep?.();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const events = await this.deps.read(this.hook.room, this.position, PAGE).catch((err: unknown) => {
        this.deps.logger.warn({ err, hook: this.hook.id }, "webhook: reading events failed");
        return undefined;
      });
      if (!events) await this.sleep(this.deps.timing.webhookRetryBaseMs, false);
      else if (events.length === 0) await this.sleep(this.deps.idlePollMs ?? 30_000, true);
      else for (const event of events) if (!(await this.deliver(event))) return;
    }
  }

  /** Delivers one event, however long it takes; false when stopped first. */
  private async deliver(event: RoomEvent): Promise<boolean> {
    const { webhookMaxAttempts: max, webhookRetryBaseMs: base, webhookRetryMaxMs: cap } = this.deps.timing;
    for (let attempt = 0; !this.stopped; attempt++) {
      const error = await this.post(event);
      this.deps.count?.(error === undefined ? "delivered" : attempt + 1 < max ? "failed" : "failing");
      if (error === undefined) {
        this.position = event.seq;
        // Unsaved, the position is only re-sent after a restart (at-least-once), so a store hiccup is not fatal.
        await this.deps.store.setWebhookDelivered(this.hook.id, event.seq).catch((err: unknown) => {
          this.deps.logger.warn({ err, hook: this.hook.id }, "webhook: saving the position failed");
        });
        return true;
      }
      if (attempt + 1 < max) {
        await this.sleep(retryDelay(attempt, base, cap), false);
        continue;
      }
      this.deps.logger.warn({ hook: this.hook.id, seq: event.seq, error }, "webhook failing; pausing");
      await this.deps.store.setWebhookFailing(this.hook.id, Date.now(), error).catch(() => undefined);
      await this.sleep(this.deps.timing.webhookPauseMs, false);
      attempt = -1;
    }
    return false;
  }

  /**
   * One POST; the error the hook's managers see (`lastError`), or undefined for a 2xx. Redirects are failures
   * (they could leave the allow-list). Refused addresses, refused connections and timeouts all read "delivery
   * failed", so a hook's state cannot tell an open port from a closed one; the operator's log has the reason.
   */
  private async post(event: RoomEvent): Promise<string | undefined> {
    const { body, headers } = webhookRequest(this.hook, event, Date.now());
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.deps.timing.webhookTimeoutMs)]);
    try {
      const { status } = await this.deps.outbound.post(this.hook.url, headers, body, signal);
      return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
    } catch (err) {
      if (!this.stopped) this.deps.logger.debug({ err, hook: this.hook.id }, "webhook: request failed");
      return "delivery failed";
    }
  }

  /** Sleeps `ms`, or less when stopped (or, if `wakeable`, woken). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => (this.stopped || wakeable ? done() : undefined);
    });
  }
}
