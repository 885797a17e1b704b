import type { RoomEvent } from "@parley/protocol";
import type { EventListener } from "../log/event-log.js";
import type { EventFeed } from "./notifier.js";

/** An EventFeed fed by hand: in cluster mode the sink emits each batch once PostgreSQL has committed it. */
export class EventRelay implements EventFeed {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(events: readonly RoomEvent[]): void {
    for (const event of events) for (const listener of this.listeners) listener(event);
  }
}
