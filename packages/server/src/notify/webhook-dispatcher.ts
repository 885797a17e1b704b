import type { RoomEvent } from "@parley/protocol";
import type { Logger } from "../logger.js";
import type { NotifyStore, WebhookRecord } from "./notify-store.js";
import { WebhookWorker, type WebhookWorkerDeps } from "./webhook-worker.js";

/**
 * One WebhookWorker per hook, for every room: started from the store at
 * start, woken by the room's new events, added and removed as the REST
 * routes change hooks. The workers read the log themselves, so a wake-up is
 * only a hint and nothing depends on seeing every live event.
 */
export class WebhookDispatcher {
  private readonly workers = new Map<string, { room: string; worker: WebhookWorker }>();
  /** room → its workers, so an event wakes only its room's hooks. */
  private readonly byRoom = new Map<string, Set<WebhookWorker>>();
  private stopped = false;

  constructor(private readonly deps: WebhookWorkerDeps & { readonly store: NotifyStore; readonly logger: Logger }) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.syncAll();
  }

  /** A new event of `event.room` is in the log. */
  onEvent(event: RoomEvent): void {
    for (const worker of this.byRoom.get(event.room) ?? []) worker.wake();
  }

  /** Re-reads the room's hooks: starts new ones, stops deleted ones. */
  async hooksChanged(room: string): Promise<void> {
    await this.sync(await this.deps.store.listWebhooks(room), (r) => r === room);
  }

  /** Re-reads every hook (cluster mode: hooks change through other nodes' REST routes). */
  async syncAll(): Promise<void> {
    await this.sync(await this.deps.store.allWebhooks(), () => true);
  }

  private async sync(hooks: readonly WebhookRecord[], inScope: (room: string) => boolean): Promise<void> {
    const ids = new Set(hooks.map((h) => h.id));
    for (const [id, entry] of this.workers) {
      if (inScope(entry.room) && !ids.has(id)) {
        this.remove(id);
        await entry.worker.stop();
      }
    }
    for (const hook of hooks) if (!this.workers.has(hook.id)) this.add(hook);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.workers.values()];
    this.workers.clear();
    this.byRoom.clear();
    await Promise.all(all.map((e) => e.worker.stop()));
  }

  private add(hook: WebhookRecord): void {
    if (this.stopped) return;
    const worker = new WebhookWorker(hook, this.deps);
    this.workers.set(hook.id, { room: hook.room, worker });
    let room = this.byRoom.get(hook.room);
    if (!room) this.byRoom.set(hook.room, (room = new Set()));
    room.add(worker);
    worker.start();
  }

  private remove(id: string): void {
    const entry = this.workers.get(id);
    if (!entry) return;
    this.workers.delete(id);
    const room = this.byRoom.get(entry.room);
    room?.delete(entry.worker);
    if (room?.size === 0) this.byRoom.delete(entry.room);
  }
}
