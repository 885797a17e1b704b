/**
 * Rebuilds what a new owner of a commands partition needs, without
 * replaying all history:
 * - room heads from the compacted `<prefix>sequencer-state` partition
 *   (one record per room, written in the same transaction as the events, so
 *   it is exactly as new as the committed events: there is no tail to add);
 * - the dedupe cache from the tail of the events partition inside the dedupe
 *   window (bounded by count too); when the count bound cut the window short,
 *   each room's skipped seqs are marked uncached, so misses there go to the
 *   DedupeFallback (partition-dedupe.ts);
 * - where to resume commands: the partition's commands-offset record in the
 *   same state partition, written in the same transaction as the events (so
 *   a transaction needs no AddOffsetsToTxn/TxnOffsetCommit round trips);
 *   the group's committed offset only when that record is missing.
 */
import type { Consumer } from "@platformatic/kafka";
import type { RoomState } from "../../sequencer/sequencer.js";
import { PartitionDedupe } from "./partition-dedupe.js";
import { PartitionReader, type ReadRecord } from "../partition-reader.js";
import { COMMANDS_OFFSET_KEY, decodeCommandsOffset, decodeEventsRecord, decodeState } from "../records.js";
import type { TopicLayout } from "../topics.js";

/** A partition's sequencer state. */
export interface PartitionState {
  readonly heads: Map<string, RoomState>;
  readonly dedupe: PartitionDedupe;
  /** The next commands offset to sequence. */
  readonly commandsOffset: bigint;
  /** Where the state and events partitions were read up to (their last stable offsets then). */
  readonly stateEnd: bigint;
  readonly eventsEnd: bigint;
}

/** What rebuild needs. */
export interface RebuildOptions {
  readonly layout: TopicLayout;
  readonly partition: number;
  /** A client for reads (no group needed). */
  readonly reader: Consumer;
  /** The sequencers' group member, whose group holds the committed command offsets. */
  readonly group: Consumer;
  readonly dedupeWindowMs: number;
  readonly dedupeMaxEntries: number;
  readonly now: number;
  /** The sink's stored events position, when a dedupe fallback is used: events above it are never skipped. */
  readonly sunk?: () => bigint;
}

/**
 * Reads partition `p` of `reader.topic` from `range.from` up to `range.to`,
 * handing over each record; fails past `range.deadline` (ms since epoch), if
 * given, when records before `to` stay undecided that long.
 */
export async function readRange(
  reader: PartitionReader,
  p: number,
  range: { from: bigint; to: bigint; deadline?: number },
  each: (record: ReadRecord) => void,
): Promise<void> {
  const { from, to, deadline } = range;
  let pos = from;
  while (pos < to) {
    if (deadline !== undefined && Date.now() > deadline) {
      throw new Error(`${reader.topic}[${p}]: records before offset ${to} still undecided at ${pos}`);
    }
    const batch = (await reader.fetch(new Map([[p, pos]]))).get(p);
    if (!batch) continue;
    for (const r of batch.records) if (r.offset < to) each(r);
    pos = batch.next;
  }
}

/** Rebuilds partition state; call only after this owner's transactional producer was initialised (fencing the old owner). */
export async function rebuildPartitionState(o: RebuildOptions): Promise<PartitionState> {
  const p = o.partition;
  const heads = new Map<string, RoomState>();
  const state = new PartitionReader(o.reader, o.layout.names.state);
  const [stateStart, stateEnd] = await Promise.all([state.startOffsets([p]), state.endOffsets([p])]);
  let commandsOffset: bigint | undefined;
  const stateTo = stateEnd.get(p) ?? 0n;
  await readRange(state, p, { from: stateStart.get(p) ?? 0n, to: stateTo }, (r) => {
    const key = r.key?.toString("utf8");
    if (key === COMMANDS_OFFSET_KEY) commandsOffset = decodeCommandsOffset(r.value) ?? commandsOffset;
    const head = key === COMMANDS_OFFSET_KEY ? undefined : decodeState(r.value);
    if (head && key) heads.set(key, head);
  });
  const { dedupe, eventsEnd } = await rebuildDedupe(o, heads);
  return { heads, dedupe, commandsOffset: commandsOffset ?? (await committedOffset(o)), stateEnd: stateTo, eventsEnd };
}

async function rebuildDedupe(
  o: RebuildOptions,
  heads: Map<string, RoomState>,
): Promise<{ dedupe: PartitionDedupe; eventsEnd: bigint }> {
  const p = o.partition;
  const dedupe = new PartitionDedupe({ windowMs: o.dedupeWindowMs, maxEntries: o.dedupeMaxEntries, sunk: o.sunk });
  const events = new PartitionReader(o.reader, o.layout.names.events);
  const [at, end] = await Promise.all([events.offsetsAt([p], o.now - o.dedupeWindowMs), events.endOffsets([p])]);
  const to = end.get(p) ?? 0n;
  const byTime = at.get(p) ?? 0n;
  const bound = to - BigInt(o.dedupeMaxEntries);
  // What the sink has not written yet is read whatever the count bound says: it is nowhere else.
  const sunk = o.sunk?.();
  const byCount = sunk !== undefined && sunk < bound ? sunk : bound;
  const from = byTime > byCount ? byTime : byCount;
  const firstSeq = new Map<string, number>();
  let firstTs: number | undefined;
  await readRange(events, p, { from: from > 0n ? from : 0n, to }, (r) => {
    const rec = decodeEventsRecord(r.value, r.headers);
    if (rec?.type !== "event") return;
    dedupe.add(rec.event, rec.event.ts, r.offset);
    firstTs ??= rec.event.ts;
    if (!firstSeq.has(rec.event.room)) firstSeq.set(rec.event.room, rec.event.seq);
    // Heads and events commit together, so this only matters if the state record was lost.
    const head = heads.get(rec.event.room);
    if (!head || head.lastSeq < rec.event.seq) heads.set(rec.event.room, { epoch: rec.epoch, lastSeq: rec.event.seq });
  });
  if (byCount > byTime) markSkipped(dedupe, heads, firstSeq, (firstTs ?? o.now) + o.dedupeWindowMs);
  return { dedupe, eventsEnd: to };
}

/**
 * The count bound skipped events inside the window: per room, every seq
 * before the first one read (all of them for a room not read at all). They
 * are older than the first event read, so they leave the window by `until`.
 */
function markSkipped(
  dedupe: PartitionDedupe,
  heads: ReadonlyMap<string, RoomState>,
  firstSeq: ReadonlyMap<string, number>,
  until: number,
): void {
  for (const [room, head] of heads) dedupe.markUncached(room, (firstSeq.get(room) ?? head.lastSeq + 1) - 1, until);
}

async function committedOffset(o: RebuildOptions): Promise<bigint> {
  const { commands } = o.layout.names;
  const committed = await o.group.listCommittedOffsets({ topics: [{ topic: commands, partitions: [o.partition] }] });
  const offset = committed.get(commands)?.[o.partition] ?? -1n;
  if (offset >= 0n) return offset;
  const reader = new PartitionReader(o.reader, commands);
  return (await reader.startOffsets([o.partition])).get(o.partition) ?? 0n;
}
