import type { RoomEvent } from "@parley/protocol";
import type { EventListener } from "./event-log.js";

/** Called when a listener throws; the log goes on delivering. */
export type ListenerErrorHandler = (err: unknown, event: RoomEvent) => void;

/**
 * The live listeners of an EventLog (`subscribe`), shared by every backend so
 * they agree on the contract's details: subscribing the same function twice
 * gives two subscriptions, a listener added or removed while an event is
 * being delivered takes effect from the next event, and a listener that
 * throws neither stops delivery to the others nor reaches the log.
 */
export class EventListeners {
  private readonly set = new Set<EventListener>();

  constructor(private readonly onError: ListenerErrorHandler = defaultListenerError) {}

  /** Registers `listener`; returns its unsubscribe function. */
  add(listener: EventListener): () => void {
    // A wrapper makes each subscription distinct even when the same function subscribes twice.
    const entry: EventListener = (e) => listener(e);
    this.set.add(entry);
    return () => void this.set.delete(entry);
  }

  /** Delivers each event to every listener registered now, in order. */
  emit(events: readonly RoomEvent[]): void {
    if (this.set.size === 0) return;
    const listeners = [...this.set];
    for (const e of events) {
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          this.onError(err, e);
        }
      }
    }
  }
}

function defaultListenerError(err: unknown, event: RoomEvent): void {
  console.error(`parley: event listener threw on ${event.room}#${event.seq}:`, err);
}
