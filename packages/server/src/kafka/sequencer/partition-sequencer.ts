/**
 * One sequencer's work on one commands partition. Before it reads state it
 * takes the partition over (ownership.ts): the previous owner instance is
 * fenced, its open transaction aborted, and the owners topic names this
 * instance. Each batch of commands is then committed in the instance's
 * shared transaction (shared-transactions.ts) with the events and duplicate
 * markers, the changed room heads and the next commands offset (a record in
 * the state topic, not a group offset commit: two round trips fewer per
 * transaction), so either all of it is visible to read_committed readers or
 * none is. A zombie's later writes fail with a fencing error, and it learns
 * from the owners topic that the partition is no longer its own, so it can
 * neither reuse nor skip a seq.
 *
 * Dedupe: the partition's cmid cache answers; only misses in rooms whose
 * cache lost events still inside the window go, once per batch, to the
 * optional DedupeFallback (dedupe-fallback.ts), before anything is decided.
 */
import { Consumer } from "@platformatic/kafka";
import type { RoomEvent } from "@parley/protocol";
import type { PublishCommand } from "../../log/event-log.js";
import { dedupeKey, SequencerBatch, type RoomState } from "../../sequencer/sequencer.js";
import { latencyTrace } from "../../metrics/latency-trace.js";
import { closeForced } from "../close-client.js";
import { resolveProbes, type DedupeFallback, type PendingProbe } from "./dedupe-fallback.js";
import { PartitionReader, type PartitionBatch, type ReadRecord } from "../partition-reader.js";
import {
  decodeCommand,
  encodeCommandsOffset,
  encodeEventsRecord,
  encodeState,
  type CommandRecord,
  type OutRecord,
} from "../records.js";
import { takeOver } from "./ownership.js";
import { rebuildPartitionState, type PartitionState } from "./sequencer-state.js";
import { isFenced, type SentOffsets, type SharedTransactions } from "./shared-transactions.js";
import type { SinkWatermark } from "./sink-watermark.js";
import { partitionFor, roomEpoch, type KafkaClusterOptions, type TopicLayout } from "../topics.js";

/** Why a worker ended. `fenced`: another owner took the partition. `failed`: any other error. */
export type WorkerExit = "stopped" | "fenced" | "failed";

/** What a PartitionSequencer needs from its service. */
export interface WorkerDeps {
  readonly cluster: KafkaClusterOptions;
  readonly layout: TopicLayout;
  readonly partition: number;
  readonly clientId: string;
  /** A consumer used for plain reads. */
  readonly reader: Consumer;
  /** The group member; its group's committed offsets are read only when the state topic has none (older state). */
  readonly group: Consumer;
  readonly maxBatch: number;
  readonly dedupeWindowMs: number;
  readonly dedupeMaxEntries: number;
  readonly now: () => number;
  readonly newId: () => string;
  /** Asked for cache misses the cache cannot rule out; without it such a miss is sequenced as new. */
  readonly fallback?: DedupeFallback;
  /** With a fallback: how far the sink has written; the cache keeps what lies above it. */
  readonly watermark?: SinkWatermark;
  /** The instance's one transactional producer, shared by its partitions. */
  readonly shared: SharedTransactions;
  readonly onError: (err: unknown, partition: number) => void;
  /** Told once the worker owns the partition: where the rebuilt state stands (for the operator's log). */
  readonly onOwned?: (facts: OwnedFacts) => void;
  /** Told after every committed transaction: its commands and how long send + commit took. */
  readonly onTransaction?: (commands: number, seconds: number) => void;
}

/** What a worker knows once it has fenced the previous owner and rebuilt state. */
export interface OwnedFacts {
  readonly partition: number;
  readonly rooms: number;
  readonly commandsOffset: string;
  readonly stateEnd: string;
  readonly eventsEnd: string;
  readonly rebuildMs: number;
}

/** Sequences one commands partition until stopped, fenced or failed. */
export class PartitionSequencer {
  /** Resolves when the worker has ended and closed its commands fetcher. */
  readonly done: Promise<WorkerExit>;
  private stopping = false;
  /** The commands offset fetched next; undefined until state is rebuilt (the worker cannot sequence yet). */
  private position: bigint | undefined;
  private commands: PartitionReader | undefined;

  constructor(private readonly d: WorkerDeps) {
    this.done = this.run();
  }

  /** True once the previous owner is fenced and state rebuilt, until the worker ends: it sequences. */
  get sequencing(): boolean {
    return this.position !== undefined && !this.stopping;
  }

  /** Commands on the partition not yet fetched for sequencing (as of the latest fetch); undefined until sequencing. */
  lag(): bigint | undefined {
    if (this.position === undefined || !this.commands) return undefined;
    return this.commands.lagAt(this.d.partition, this.position);
  }

  /** Finishes the transaction in flight, then ends. */
  stop(): Promise<WorkerExit> {
    this.stopping = true;
    return this.done;
  }

  private async run(): Promise<WorkerExit> {
    const { cluster, layout, partition: p } = this.d;
    // The commands fetch gets a connection of its own: the broker answers one request per connection at a
    // time, so partitions sharing one waited out each other's idle long-polls (n × maxWait, ~1.1 s with 12).
    const fetcher = new Consumer({
      clientId: `${this.d.clientId}-p${p}-commands`,
      groupId: `${this.d.clientId}-p${p}-unjoined`,
      bootstrapBrokers: [...cluster.brokers],
    });
    try {
      await takeOver(this.d, this.d.shared, p);
      const watermark = this.d.watermark;
      await watermark?.refresh();
      const sunk = watermark && (() => watermark.get(p));
      const started = Date.now();
      const state = await rebuildPartitionState({ ...this.d, now: this.d.now(), sunk });
      this.d.onOwned?.({
        partition: p,
        rooms: state.heads.size,
        commandsOffset: String(state.commandsOffset),
        stateEnd: String(state.stateEnd),
        eventsEnd: String(state.eventsEnd),
        rebuildMs: Date.now() - started,
      });
      const commands = new PartitionReader(fetcher, layout.names.commands, { maxWaitMs: 100 });
      this.commands = commands;
      this.position = state.commandsOffset;
      let fetching = prefetch(commands, p, state.commandsOffset);
      while (!this.stopping) {
        const { batch, at, error, fetchedAt } = await fetching;
        if (error) throw error;
        if (latencyTrace && batch) traceArrival(batch, fetchedAt);
        const records = batch?.records.slice(0, this.d.maxBatch) ?? [];
        const next = !batch ? at : records.length < batch.records.length ? after(records, at) : batch.next;
        // Pipelining: the next fetch runs while this batch's transaction commits.
        fetching = prefetch(commands, p, next);
        if (records.length === 0) {
          this.position = next;
          continue;
        }
        const out = await this.sequence(state, records, next);
        const began = performance.now();
        const offsets = await this.d.shared.commit(p, out.records);
        this.d.onTransaction?.(records.length, (performance.now() - began) / 1000);
        latencyTrace?.add("seq.commit", performance.now() - began);
        this.position = next;
        out.apply(() => eventsBaseOffset(offsets, layout.names.events, p));
      }
      return "stopped";
    } catch (err) {
      if (this.stopping && !isFenced(err)) return "stopped";
      this.d.onError(err, p);
      return isFenced(err) ? "fenced" : "failed";
    } finally {
      this.position = undefined;
      this.d.shared.release(p);
      await closeForced(fetcher);
    }
  }

  /** Decides a batch with the pure sequencer; nothing in `state` changes until `apply` (after commit). */
  private async sequence(
    state: PartitionState,
    records: readonly ReadRecord[],
    next: bigint,
  ): Promise<{ records: OutRecord[]; apply(eventsBase: () => bigint): void }> {
    const { layout, partition: p } = this.d;
    const now = this.d.now();
    const base = (room: string): RoomState =>
      state.heads.get(room) ?? { epoch: roomEpoch(layout.eventsTopicId, room), lastSeq: 0 };
    const commands = this.decodeAll(records);
    const stored = await this.lookupStored(state, commands, base, now);
    const lookup = (room: string, cmid: string) =>
      state.dedupe.get(room, cmid, now) ?? stored.get(dedupeKey(room, cmid));
    const batch = new SequencerBatch(base, lookup, this.d.newId);
    const out: OutRecord[] = [];
    const appended: { event: RoomEvent; index: number }[] = [];
    for (const { command, rid } of commands) {
      const decision = batch.decide(command, now);
      if (decision.type === "append") appended.push({ event: decision.event, index: out.length });
      out.push(
        encodeEventsRecord(
          layout.names.events,
          p,
          decision.type === "append"
            ? { type: "event", event: decision.event, epoch: decision.state.epoch, rid }
            : { type: "duplicate", event: decision.event, rid },
        ),
      );
    }
    for (const [room, head] of batch.touched()) out.push(encodeState(layout.names.state, p, room, head));
    out.push(encodeCommandsOffset(layout.names.state, p, next));
    return {
      records: out,
      // The events records come first and only this instance writes the partition: record i is at base + i.
      // A batch of only skipped commands wrote no event, so the base is asked for only when needed.
      apply(eventsBase) {
        for (const [room, head] of batch.touched()) state.heads.set(room, head);
        const base = appended.length > 0 ? eventsBase() : 0n;
        for (const { event, index } of appended) state.dedupe.add(event, now, base + BigInt(index));
      },
    };
  }

  /** The batch's commands; a malformed one, or one on the wrong partition (it would fork the room's sequence), is skipped. */
  private decodeAll(records: readonly ReadRecord[]): CommandRecord[] {
    const { layout, partition: p } = this.d;
    const out: CommandRecord[] = [];
    for (const r of records) {
      const decoded = decodeCommand(r.value, r.headers);
      if (decoded && partitionFor(decoded.command.room, layout.partitions) === p) out.push(decoded);
      else this.d.onError(new Error(`skipped a malformed or misrouted command at offset ${r.offset}`), p);
    }
    return out;
  }

  /** One fallback round trip for the batch's misses that the cache cannot rule out; none in the common case. */
  private async lookupStored(
    state: PartitionState,
    commands: readonly CommandRecord[],
    base: (room: string) => RoomState,
    now: number,
  ): Promise<Map<string, RoomEvent>> {
    const fallback = this.d.fallback;
    if (!fallback) return new Map();
    const probes = commands.flatMap(({ command }) => probeFor(state, command, base, now));
    if (probes.length === 0) return new Map();
    return resolveProbes(fallback, probes, {
      stopped: () => this.stopping,
      onGiveUp: (open, reason) => {
        const cmids = open.map((o) => `${o.room}/${o.cmid}`).join(", ");
        this.d.onError(
          new Error(`dedupe fallback unavailable, sequenced as new: ${cmids}`, { cause: reason }),
          this.d.partition,
        );
      },
    });
  }
}

/** The probe a command needs: none when the cache has it or is complete for its room. */
function probeFor(
  state: PartitionState,
  command: PublishCommand,
  base: (room: string) => RoomState,
  now: number,
): PendingProbe[] {
  const { room, cmid } = command;
  if (state.dedupe.get(room, cmid, now)) return [];
  const gap = state.dedupe.incomplete(room, now);
  return gap ? [{ room, cmid, epoch: base(room).epoch, needSeq: gap.seq }] : [];
}

/** Where a transaction's first record on events partition `p` landed (the producer sends one batch per partition). */
function eventsBaseOffset(offsets: SentOffsets, events: string, p: number): bigint {
  const base = offsets?.find((o) => o.topic === events && o.partition === p)?.offset;
  if (base === undefined) throw new Error(`no offset reported for ${events}-${p}`);
  return base;
}

/** What a prefetch brought: the batch (absent when nothing new), or the error to rethrow when it is used. */
interface Fetched {
  readonly at: bigint;
  /** performance.now() when the fetch returned (latency-trace.ts). */
  readonly fetchedAt: number;
  readonly batch?: PartitionBatch;
  readonly error?: unknown;
}

/** The offset right after the last of `taken` (a batch cut at maxBatch); `at` when none was taken. */
function after(taken: readonly ReadRecord[], at: bigint): bigint {
  const last = taken.at(-1);
  return last ? last.offset + 1n : at;
}

/** Starts fetching partition `p` at `at`; never rejects, so a failure while a commit is running is not unhandled. */
function prefetch(reader: PartitionReader, p: number, at: bigint): Promise<Fetched> {
  return reader.fetch(new Map([[p, at]])).then(
    (batches) => ({ at, batch: batches.get(p), fetchedAt: performance.now() }),
    (error: unknown) => ({ at, error, fetchedAt: performance.now() }),
  );
}

/** latency-trace.ts: per command, gateway encode → fetched here; fetched → taken up (waits for the previous commit). */
function traceArrival(batch: PartitionBatch, fetchedAt: number): void {
  const now = Date.now();
  const waited = performance.now() - fetchedAt;
  for (const r of batch.records) latencyTrace?.add("seq.arrive", now - waited - r.timestamp);
  latencyTrace?.add("seq.wait", waited);
  latencyTrace?.add("seq.batch", batch.records.length);
}
