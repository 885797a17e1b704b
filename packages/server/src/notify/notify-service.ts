/**
 * Composes notify/: the push fan-out, the webhook dispatcher and the
 * Notifier that feeds both from the event log, plus what the REST routes see.
 */
import type { ParleyConfig } from "../config/options.js";
import type { EventLog } from "../log/event-log.js";
import type { Logger } from "../logger.js";
import type { Presence } from "../presence/presence.js";
import type { Store } from "../store/store.js";
import { Notifier } from "./notifier.js";
import type { NotifyHttp } from "./notify-http.js";
import type { NotifyStore } from "./notify-store.js";
import { resolveVapid, type VapidKeys } from "./vapid.js";
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

  constructor(deps: NotifyServiceDeps) {
    const { config, logger } = deps;
    const vapid: VapidKeys | undefined = config.push ? resolveVapid(config) : undefined;
    this.http = { store: deps.notifyStore, vapidPublicKey: vapid?.publicKey, hooksChanged: () => undefined };
    if (deps.deliver === false) return;
    const push =
      vapid && new WebPushFanout({ store: deps.notifyStore, vapid, logger, timeoutMs: config.webhookTimeoutMs });
    this.notifier = new Notifier({ feed: deps.log, store: deps.store, presence: deps.presence, logger, push });
  }

  start(): void {
    this.notifier?.start();
  }

  /** Stops taking events and waits for pushes in flight. */
  async stop(): Promise<void> {
    await this.notifier?.stop();
  }
}
