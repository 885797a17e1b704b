/**
 * Composes notify/: the push fan-out, the webhook dispatcher and the
 * Notifier that feeds both from the event log, plus what the REST routes see.
 */
import type { RoomEvent } from "@parley/protocol";
import type { ParleyConfig } from "../config/options.js";
import type { EventLog } from "../log/event-log.js";
import type { Logger } from "../logger.js";
import type { Presence } from "../presence/presence.js";
import type { Store } from "../store/store.js";
import { Notifier } from "./notifier.js";
import type { NotifyHttp } from "./notify-http.js";
import type { NotifyStore } from "./notify-store.js";
import { resolveVapid, type VapidKeys } from "./vapid.js";
import { WebhookDispatcher } from "./webhook-dispatcher.js";
import { WebPushFanout } from "./web-push-fanout.js";

/** What a NotifyService is built from. */
export interface NotifyServiceDeps {
  readonly config: ParleyConfig;
  readonly log: EventLog;
  readonly store: Store;
  readonly presence: Presence;
  readonly notifyStore: NotifyStore;
  readonly logger: Logger;
  /** False: serve the REST routes only; another process delivers (see docs/cluster.md). Default true. */
  readonly deliver?: boolean;
}

/** The running notify/ part of a node. */
export class NotifyService {
  readonly http: NotifyHttp;
  private readonly notifier: Notifier | undefined;
  private readonly webhooks: WebhookDispatcher | undefined;

  constructor(deps: NotifyServiceDeps) {
    const { config, logger } = deps;
    const vapid: VapidKeys | undefined = config.push ? resolveVapid(config) : undefined;
    const hooksChanged = (room: string) => this.webhooks?.hooksChanged(room) ?? Promise.resolve();
    this.http = { store: deps.notifyStore, vapidPublicKey: vapid?.publicKey, hooksChanged };
    if (deps.deliver === false) return;
    const { log, notifyStore: store } = deps;
    this.webhooks = new WebhookDispatcher({ read: (r, a, l) => log.read(r, a, l), store, timing: config, logger });
    const push = vapid && new WebPushFanout({ store, vapid, logger, timeoutMs: config.webhookTimeoutMs });
    const onEvent = (event: RoomEvent) => this.webhooks?.onEvent(event);
    this.notifier = new Notifier({ feed: log, store: deps.store, presence: deps.presence, logger, push, onEvent });
  }

  async start(): Promise<void> {
    this.notifier?.start();
    await this.webhooks?.start();
  }

  /** Stops taking events and waits for pushes in flight; webhook POSTs in flight are aborted. */
  async stop(): Promise<void> {
    await Promise.all([this.notifier?.stop(), this.webhooks?.stop()]);
  }
}
