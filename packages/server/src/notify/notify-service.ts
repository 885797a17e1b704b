/**
 * Composes notify/: the push fan-out, the webhook dispatcher and the
 * Notifier that feeds both, plus what the REST routes see. Embedded mode
 * builds it on the EventLog; cluster mode on the sink's committed batches
 * (docs/cluster.md).
 */
import type { RoomEvent } from "@parley/protocol";
import type { ParleyConfig } from "../config/options.js";
import type { EventLog } from "../log/event-log.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Presence } from "../presence/presence.js";
import type { Store } from "../store/store.js";
import { Notifier } from "./notifier.js";
import type { NotifyHttp } from "./notify-http.js";
import type { NotifyStore } from "./notify-store.js";
import { resolveVapid, type VapidKeys, type VapidSource } from "./vapid.js";
import { WebhookDispatcher } from "./webhook-dispatcher.js";
import type { PostgresLeadership } from "./webhook-leader.js";
import { WebPushFanout } from "./web-push-fanout.js";
import { OutboundPolicy } from "./outbound.js";

/** What a NotifyService is built from. */
export interface NotifyServiceDeps {
  readonly config: ParleyConfig;
  /** Live events (in per-room seq order) and reads; the EventLog, or the sink's relay + PostgreSQL history. */
  readonly log: Pick<EventLog, "subscribe" | "read">;
  readonly store: Store;
  readonly presence: Presence;
  readonly notifyStore: NotifyStore;
  readonly logger: Logger;
  /** False: serve the REST routes only; another process delivers (see docs/cluster.md). Default true. */
  readonly deliver?: boolean;
  /** Where an unconfigured VAPID pair is kept. Default the data dir's vapid.json. */
  readonly vapidSource?: VapidSource;
  /** Where delivery outcomes are counted (embedded mode's /metrics). */
  readonly metrics?: Metrics | undefined;
  /** Cluster mode: webhooks are delivered only while this node leads, and hooks are re-read every second. */
  readonly webhookLeadership?: PostgresLeadership;
}

const CLUSTER_RELOAD_MS = 1000;

/** The running notify/ part of a node. */
export class NotifyService {
  private notifier: Notifier | undefined;
  private webhooks: WebhookDispatcher | undefined;
  private reload: NodeJS.Timeout | undefined;

  private constructor(
    private readonly deps: NotifyServiceDeps,
    readonly http: NotifyHttp,
  ) {}

  /** Resolves the VAPID keys (`push` on) and builds the parts this node runs. */
  static async create(deps: NotifyServiceDeps): Promise<NotifyService> {
    const { config, logger, notifyStore: store } = deps;
    const vapid: VapidKeys | undefined = config.push
      ? await resolveVapid(config, deps.vapidSource ?? { kind: "file" })
      : undefined;
    let service: NotifyService | undefined;
    const hooksChanged = async (room: string) => service?.webhooks?.hooksChanged(room);
    const outbound = new OutboundPolicy(config.outboundAllowedNetworks);
    service = new NotifyService(deps, { store, vapidPublicKey: vapid?.publicKey, hooksChanged, outbound });
    if (deps.deliver === false) return service;
    const clustered = deps.webhookLeadership !== undefined;
    const read = deps.log.read.bind(deps.log);
    const m = deps.metrics;
    const count = m && ((outcome: string) => m.webhookAttempts.inc({ outcome }));
    const idlePollMs = clustered ? CLUSTER_RELOAD_MS : undefined;
    const webhooks = new WebhookDispatcher({ read, store, outbound, timing: config, logger, idlePollMs, count });
    const pushCount = m && ((outcome: string) => m.pushes.inc({ outcome }));
    const timeoutMs = config.webhookTimeoutMs;
    const push = vapid && new WebPushFanout({ store, outbound, vapid, logger, timeoutMs, count: pushCount });
    const onEvent = (event: RoomEvent) => webhooks.onEvent(event);
    const onDrop = () => pushCount?.("dropped");
    service.webhooks = webhooks;
    service.notifier = new Notifier({
      ...{ feed: deps.log, store: deps.store, presence: deps.presence, logger },
      ...{ push, onEvent, onDrop },
    });
    return service;
  }

  async start(): Promise<void> {
    this.notifier?.start();
    const webhooks = this.webhooks;
    if (!webhooks) return;
    const leadership = this.deps.webhookLeadership;
    if (!leadership) return webhooks.start();
    const sync = () => webhooks.syncAll().catch((err: unknown) => this.deps.logger.warn({ err }, "webhook sync"));
    leadership.start(
      async () => {
        await webhooks.start().catch((err: unknown) => this.deps.logger.warn({ err }, "webhook start"));
        this.reload = setInterval(() => void sync(), CLUSTER_RELOAD_MS);
      },
      async () => {
        clearInterval(this.reload);
        await webhooks.stop();
      },
    );
  }

  /** Stops taking events and waits for pushes in flight; webhook POSTs in flight are aborted. */
  async stop(): Promise<void> {
    clearInterval(this.reload);
    await this.deps.webhookLeadership?.stop();
    await Promise.all([this.notifier?.stop(), this.webhooks?.stop()]);
    this.http.outbound.close();
  }
}
