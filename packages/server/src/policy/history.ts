/**
 * The one history pager of every transport: the WebSocket and SSE `history`
 * frame and REST `GET /v1/rooms/{room}/messages`. One rule for the window
 * (docs/protocol.md, "history"): with `after`, the oldest events after it,
 * bounded above by `before` when both are given (a gap between two known seqs
 * is one request); otherwise the newest events before `before`, or before the
 * head. Pages are ascending; `hasMore` says the page was cut at `limit`.
 */
import type { RoomEvent } from "@parley/protocol";
import type { Principal } from "../auth/principal.js";
import type { ParleyConfig } from "../config/options.js";
import type { EventLog } from "../log/event-log.js";
import type { RoomAccess } from "./access.js";

/** One page asked for; `before` and `after` are exclusive seq bounds. */
export interface HistoryQuery {
  readonly room: string;
  readonly before?: number | undefined;
  readonly after?: number | undefined;
  /** Most events in the page; absent means `historyPageMax`, and more is capped to it. */
  readonly limit?: number | undefined;
}

/** One page, ascending by seq, with the room's epoch. */
export interface HistoryPage {
  readonly epoch: string;
  readonly events: RoomEvent[];
  readonly hasMore: boolean;
}

/** What the pager reads, given once at composition. */
export interface HistoryPagerDeps {
  readonly log: Pick<EventLog, "head" | "read" | "readBefore">;
  readonly access: RoomAccess;
  readonly config: Pick<ParleyConfig, "historyPageMax">;
}

/** Reads history pages for principals allowed to (`history` capability and the room's rule). */
export class HistoryPager {
  constructor(private readonly deps: HistoryPagerDeps) {}

  /** The page `query` asks for; throws FORBIDDEN when the principal may not read the room. */
  async page(principal: Principal, query: HistoryQuery): Promise<HistoryPage> {
    const { log, access, config } = this.deps;
    const { room, before, after } = query;
    await access.require(principal, room, "history", `you may not read the history of ${room}`);
    const limit = Math.min(query.limit ?? config.historyPageMax, config.historyPageMax);
    const head = await log.head(room);
    if (after !== undefined) {
      // One more than asked tells whether the window holds more; events at or past `before` are outside it.
      const read = await log.read(room, after, limit + 1);
      const events = before === undefined ? read : read.filter((e) => e.seq < before);
      return { epoch: head.epoch, events: events.slice(0, limit), hasMore: events.length > limit };
    }
    const events = await log.readBefore(room, before ?? head.lastSeq + 1, limit + 1);
    const hasMore = events.length > limit;
    return { epoch: head.epoch, events: hasMore ? events.slice(1) : events, hasMore };
  }
}
