/**
 * The notifier: consumes every sequenced event in log order and turns chat
 * messages into pushes for the users who are away (see recipients.ts), and
 * tells the webhook dispatcher which rooms have new events.
 *
 * Embedded mode runs it in the server process on `log.subscribe`; delivery
 * of pushes is best-effort and live only (an event sequenced while the
 * notifier is down gets no push), while webhooks resume from their persisted
 * position (webhook-worker.ts).
 */
import type { RoomEvent } from "@parley/protocol";
import { roomAdmits } from "../policy/access.js";
import type { EventListener } from "../log/event-log.js";
import type { Logger } from "../logger.js";
import type { Presence } from "../presence/presence.js";
import type { Store } from "../store/store.js";
import { pushPayload, type PushPayload } from "./push-payload.js";
import { decideRecipients, pushCandidates, type PushRecipient } from "./recipients.js";

/** Sends one payload to every push subscription of a user. Never rejects. */
export interface PushFanout {
  sendToUser(user: string, payload: PushPayload): Promise<void>;
}

/** Where the notifier's events come from: the EventLog satisfies it. */
export interface EventFeed {
  subscribe(listener: EventListener): () => void;
}

/** What a Notifier is built from. */
export interface NotifierDeps {
  readonly feed: EventFeed;
  readonly store: Store;
  readonly presence: Presence;
  readonly logger: Logger;
  /** Absent: no Web Push (only webhooks). */
  readonly push?: PushFanout | undefined;
  /** Called for every event, in order, after its pushes were handed out (the webhook dispatcher's wake-up). */
  readonly onEvent?: ((event: RoomEvent) => void) | undefined;
  /** Most events waiting; beyond it new events get no push (logged), so a stuck push service cannot exhaust memory. Default 10 000. */
  readonly maxQueue?: number;
  /** Told each event dropped because the queue was full (metrics). */
  readonly onDrop?: (() => void) | undefined;
}

/** Consumes events one at a time in arrival (per-room seq) order. */
export class Notifier {
  private readonly queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private dropped = 0;

  constructor(private readonly deps: NotifierDeps) {}

  start(): void {
    this.unsubscribe ??= this.deps.feed.subscribe((event) => this.enqueue(event));
  }

  /** Stops taking events and waits for the ones already queued. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.running;
  }

  /** Resolves when every queued event has been processed (for tests). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private enqueue(event: RoomEvent): void {
    this.deps.onEvent?.(event);
    if (!this.deps.push) return;
    // Presence is read now, as the event is handed to the room's subscribers: a DM whose peer is
    // online (most of them) costs no queue entry, no room-rule read and no promise.
    const candidates = this.absentCandidates(event);
    if (candidates.length === 0) return;
    if (this.queue.length >= (this.deps.maxQueue ?? 10_000)) {
      if (this.dropped++ % 1000 === 0) this.deps.logger.warn({ dropped: this.dropped }, "push queue full");
      this.deps.onDrop?.();
      return;
    }
    this.queue.push({ event, candidates });
    this.running ??= this.drain();
  }

  /** The event's push candidates who are not present in its room (a present user sees it live). */
  private absentCandidates(event: RoomEvent): PushRecipient[] {
    const candidates = pushCandidates(event);
    if (candidates.length === 0) return candidates;
    const present = new Set(this.deps.presence.members(event.room).map((m) => m.user));
    return candidates.filter((c) => !present.has(c.user));
  }

  private async drain(): Promise<void> {
    for (let item = this.queue.shift(); item; item = this.queue.shift()) {
      try {
        await this.notify(item);
      } catch (err) {
        this.deps.logger.warn({ err, room: item.event.room, seq: item.event.seq }, "push failed");
      }
    }
    this.running = undefined;
  }

  private async notify({ event, candidates }: Pending): Promise<void> {
    const { push } = this.deps;
    if (!push) return; // events are queued only with a push fanout
    const recipients = await this.mayRead(event.room, candidates);
    await Promise.all(recipients.map((r) => push.sendToUser(r.user, pushPayload(event, r.reason))));
  }

  /** The candidates (already those not present) whose room rule lets them read `room`. */
  private async mayRead(room: string, candidates: readonly PushRecipient[]): Promise<PushRecipient[]> {
    const mayRead = new Set<string>();
    for (const c of candidates) if (await roomAdmits(room, c.user, this.deps.store)) mayRead.add(c.user);
    return decideRecipients(candidates, { present: NOBODY, mayRead });
  }
}

/** An event waiting for its pushes, with the candidates who were not present when it arrived. */
interface Pending {
  readonly event: RoomEvent;
  readonly candidates: readonly PushRecipient[];
}

/** Presence was applied when the event was queued (absentCandidates). */
const NOBODY: ReadonlySet<string> = new Set();
