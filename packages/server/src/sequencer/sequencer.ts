/**
 * The sequencer: pure logic shared by the embedded and Kafka modes. Given a
 * room's position and a way to find an already-sequenced cmid, it decides
 * whether a publish becomes a new event or is a duplicate of an earlier one.
 * No I/O, no clock, no randomness: all of those are passed in.
 */
import type { RoomEvent } from "@parley/protocol";
import type { PublishCommand } from "../log/event-log.js";

/** A room's stream position as the sequencer sees it. */
export interface RoomState {
  readonly epoch: string;
  readonly lastSeq: number;
}

/** Finds the event already sequenced for `(room, cmid)`, if any. */
export type DedupeLookup = (room: string, cmid: string) => RoomEvent | undefined;

/** What the sequencer decided for one command. */
export type SequenceDecision =
  | { readonly type: "append"; readonly event: RoomEvent; readonly state: RoomState }
  | { readonly type: "duplicate"; readonly event: RoomEvent };

/** What a decision may consult, passed in so the sequencer itself has no I/O, clock or randomness. */
export interface SequenceInputs {
  readonly lookup: DedupeLookup;
  /** The event's timestamp. */
  readonly now: number;
  /** Called only for a new event. */
  readonly newId: () => string;
}

/** Decides one command against `state`; on `append` the returned `state` is the room's next state. */
export function sequence(state: RoomState, command: PublishCommand, inputs: SequenceInputs): SequenceDecision {
  const { lookup, now, newId } = inputs;
  const original = lookup(command.room, command.cmid);
  if (original) return { type: "duplicate", event: original };
  const seq = state.lastSeq + 1;
  const event: RoomEvent = {
    room: command.room,
    seq,
    id: newId(),
    from: command.from,
    ts: now,
    kind: command.kind,
    body: command.body,
    cmid: command.cmid,
  };
  return { type: "append", event, state: { epoch: state.epoch, lastSeq: seq } };
}

/** The key of a (room, cmid) pair in dedupe maps. NUL cannot occur in room ids or cmids. */
export function dedupeKey(room: string, cmid: string): string {
  return `${room}\u0000${cmid}`;
}

/**
 * Sequences a batch of commands that will be committed together. It keeps
 * working copies of room states and the batch's own new events, so a
 * duplicate of a command earlier in the same batch is caught, and nothing
 * outside changes until the caller has committed and calls its own apply step.
 */
export class SequencerBatch {
  /** New events in decision order (so in seq order per room). */
  readonly appended: RoomEvent[] = [];
  private readonly states = new Map<string, RoomState>();
  private readonly pending = new Map<string, RoomEvent>();

  constructor(
    private readonly baseState: (room: string) => RoomState,
    private readonly lookup: DedupeLookup,
    private readonly newId: () => string,
  ) {}

  /** Decides one command in the context of the batch so far. */
  decide(command: PublishCommand, now: number): SequenceDecision {
    const state = this.states.get(command.room) ?? this.baseState(command.room);
    const lookup: DedupeLookup = (room, cmid) => this.pending.get(dedupeKey(room, cmid)) ?? this.lookup(room, cmid);
    const decision = sequence(state, command, { lookup, now, newId: this.newId });
    if (decision.type === "append") {
      this.states.set(command.room, decision.state);
      this.pending.set(dedupeKey(command.room, command.cmid), decision.event);
      this.appended.push(decision.event);
    }
    return decision;
  }

  /** The rooms whose state this batch advanced, with their new states. */
  touched(): ReadonlyMap<string, RoomState> {
    return this.states;
  }
}
