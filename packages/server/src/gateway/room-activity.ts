/**
 * Messages per second per room over the last few seconds, for the admin dashboard's busiest rooms.
 * Counted from the events the gateway reads off the log (every gateway reads every event, so one
 * gateway's figure is the cluster's). Per room, not in Prometheus: a label per room would make the
 * registry grow with every room ever written to.
 */

/** How many one-second buckets a rate averages over. */
const WINDOW_SECONDS = 5;

/** A room's recent rate. */
export interface RoomRate {
  readonly room: string;
  readonly perSecond: number;
}

/** Counts per room in one-second buckets; rooms quiet for a whole window are dropped. */
export class RoomActivity {
  /** Per room: the count of each of the last WINDOW_SECONDS seconds, newest last, and the second it ends at. */
  private readonly rooms = new Map<string, { counts: number[]; second: number }>();
  /** When quiet rooms were last dropped: without a dashboard polling, record() must not grow the map forever. */
  private sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** One event in `room`. */
  record(room: string): void {
    const second = Math.floor(this.now() / 1000);
    if (second - this.sweptAt >= WINDOW_SECONDS) this.busiest(0);
    const entry = this.rooms.get(room) ?? { counts: new Array<number>(WINDOW_SECONDS).fill(0), second };
    shift(entry, second);
    entry.counts[WINDOW_SECONDS - 1] = (entry.counts[WINDOW_SECONDS - 1] ?? 0) + 1;
    this.rooms.set(room, entry);
  }

  /** The `limit` busiest rooms over the window (the current second included), busiest first. */
  busiest(limit: number): RoomRate[] {
    const second = Math.floor(this.now() / 1000);
    this.sweptAt = second;
    const rates: RoomRate[] = [];
    for (const [room, entry] of this.rooms) {
      shift(entry, second);
      const total = entry.counts.reduce((a, b) => a + b, 0);
      if (total === 0) this.rooms.delete(room);
      else rates.push({ room, perSecond: total / WINDOW_SECONDS });
    }
    return rates.sort((a, b) => b.perSecond - a.perSecond || (a.room < b.room ? -1 : 1)).slice(0, limit);
  }
}

/** Moves a room's buckets on to `second`, zeroing the seconds that passed without events. */
function shift(entry: { counts: number[]; second: number }, second: number): void {
  const passed = Math.min(WINDOW_SECONDS, second - entry.second);
  if (passed <= 0) return;
  entry.counts.splice(0, passed);
  for (let i = 0; i < passed; i++) entry.counts.push(0);
  entry.second = second;
}
