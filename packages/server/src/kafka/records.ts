/**
 * The wire format of Parley's Kafka records, in one place so gateways,
 * sequencers and the PostgreSQL sink agree. Keys are the room id (UTF-8);
 * values are JSON; headers are UTF-8 strings.
 *
 * - commands: value = PublishCommand; header `parley-rid` = the gateway's
 *   request id (`<gatewayId>:<n>`), echoed on the answer.
 * - events (an outside contract, docs/kafka.md): header `parley-v` = the
 *   format version (EVENTS_FORMAT_VERSION), `parley-t` = `event` or `duplicate`.
 *   `event`: value = the new RoomEvent, `parley-epoch` = the room's epoch,
 *   `parley-rid` = the request that created it. This is the only kind the
 *   sink stores. `duplicate`: value = the ORIGINAL RoomEvent of a cmid that
 *   was already sequenced, `parley-rid` = the retried request. A duplicate
 *   marker is an answer to one gateway, never a new event.
 * - sequencer-state (compacted): key = room, value = `{ epoch, lastSeq }` of
 *   the room; plus one record per partition, key COMMANDS_OFFSET_KEY, value
 *   `{ next }`: where a new owner resumes reading commands.
 * - sequencer-owners (compacted): key `owner`, value `{ transactionalId }` of
 *   the sequencer instance that owns the partition from that record on.
 */
import type { EventKind, Json, RoomEvent } from "@parley/protocol";
import type { PublishCommand } from "../log/event-log.js";
import type { RoomState } from "../sequencer/sequencer.js";

/** Header names. */
export const HEADER = { type: "parley-t", rid: "parley-rid", epoch: "parley-epoch", version: "parley-v" } as const;

/**
 * The version of the events topic's record format, in every events record's `parley-v` header: the
 * contract outside consumers read (docs/kafka.md). Raised only by a change a consumer could notice.
 */
export const EVENTS_FORMAT_VERSION = "1";

/** A record as Parley produces it (Buffers, as the Kafka client sends them). */
export interface OutRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: Map<Buffer, Buffer>;
}

/** A decoded record of the events topic. */
export type EventsRecord =
  | { readonly type: "event"; readonly event: RoomEvent; readonly epoch: string; readonly rid: string }
  | { readonly type: "duplicate"; readonly event: RoomEvent; readonly rid: string };

/** A decoded command and the request id to answer. */
export interface CommandRecord {
  readonly command: PublishCommand;
  readonly rid: string;
}

type RawHeaders = Map<Buffer, Buffer> | Iterable<readonly [Buffer | null, Buffer | null]>;

/**
 * Header names and the constant values as Buffers, made once: every record
 * used to build them from strings (with an object, arrays and a Map around
 * them), and every read turned each header back into strings to look one up;
 * that was ~2-3 µs per record encoded or decoded, several times per publish.
 * The client only reads a record's header Buffers when it serialises them.
 */
export const HEADER_NAME = {
  type: Buffer.from(HEADER.type),
  rid: Buffer.from(HEADER.rid),
  epoch: Buffer.from(HEADER.epoch),
  version: Buffer.from(HEADER.version),
};
const TYPE = { event: Buffer.from("event"), duplicate: Buffer.from("duplicate") };
const VERSION = Buffer.from(EVENTS_FORMAT_VERSION);

/** The value of the last header named `name` (byte comparison; no strings made). */
export function header(raw: RawHeaders, name: Buffer): Buffer | undefined {
  let found: Buffer | undefined;
  for (const [k, v] of raw) if (k && v && k.equals(name)) found = v;
  return found;
}

function parse(value: Buffer | null | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value.toString("utf8"));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** A command record for `partition`. */
export function encodeCommand(topic: string, partition: number, command: PublishCommand, rid: string): OutRecord {
  const { room, cmid, from, kind, body } = command;
  return {
    topic,
    partition,
    key: Buffer.from(room),
    value: Buffer.from(JSON.stringify({ room, cmid, from, kind, body })),
    headers: new Map([[HEADER_NAME.rid, Buffer.from(rid)]]),
  };
}

/** Decodes a command; undefined when malformed (the sequencer skips it, it never crashes). */
export function decodeCommand(value: Buffer | null | undefined, raw: RawHeaders): CommandRecord | undefined {
  const v = parse(value);
  if (!isObject(v)) return undefined;
  const rid = header(raw, HEADER_NAME.rid)?.toString("utf8") ?? "";
  const { room, cmid, from, kind, body } = v;
  if (typeof room !== "string" || typeof cmid !== "string" || typeof from !== "string" || typeof kind !== "string")
    return undefined;
  return { command: { room, cmid, from, kind: kind as EventKind, body: (body ?? null) as Json }, rid };
}

/** A new event, or a duplicate marker carrying the original event. */
export function encodeEventsRecord(topic: string, partition: number, rec: EventsRecord): OutRecord {
  const headers = new Map([
    [HEADER_NAME.type, TYPE[rec.type]],
    [HEADER_NAME.rid, Buffer.from(rec.rid)],
    [HEADER_NAME.version, VERSION],
  ]);
  if (rec.type === "event") headers.set(HEADER_NAME.epoch, Buffer.from(rec.epoch));
  return {
    topic,
    partition,
    key: Buffer.from(rec.event.room),
    value: Buffer.from(JSON.stringify(rec.event)),
    headers,
  };
}

/** Decodes an events-topic record; undefined when it is not one Parley wrote. */
export function decodeEventsRecord(value: Buffer | null | undefined, raw: RawHeaders): EventsRecord | undefined {
  const event = parse(value);
  if (!isObject(event) || typeof event.room !== "string" || typeof event.seq !== "number") return undefined;
  const type = header(raw, HEADER_NAME.type);
  const rid = header(raw, HEADER_NAME.rid)?.toString("utf8") ?? "";
  if (type?.equals(TYPE.event)) {
    const epoch = header(raw, HEADER_NAME.epoch)?.toString("utf8") ?? "";
    return { type: "event", event: event as unknown as RoomEvent, epoch, rid };
  }
  if (type?.equals(TYPE.duplicate)) return { type: "duplicate", event: event as unknown as RoomEvent, rid };
  return undefined;
}

/** A room-head changelog record. */
export function encodeState(topic: string, partition: number, room: string, state: RoomState): OutRecord {
  return {
    topic,
    partition,
    key: Buffer.from(room),
    value: Buffer.from(JSON.stringify({ epoch: state.epoch, lastSeq: state.lastSeq })),
    headers: new Map(),
  };
}

/**
 * Key of the state record that holds the partition's next commands offset.
 * Room ids cannot contain NUL, so it never collides with a room head.
 */
export const COMMANDS_OFFSET_KEY = "\u0000commands-offset";

/** The next commands offset to sequence, written in the same transaction as the events it follows. */
export function encodeCommandsOffset(topic: string, partition: number, next: bigint): OutRecord {
  return {
    topic,
    partition,
    key: Buffer.from(COMMANDS_OFFSET_KEY),
    value: Buffer.from(JSON.stringify({ next: next.toString() })),
    headers: new Map(),
  };
}

/** Decodes a commands-offset record; undefined when malformed. */
export function decodeCommandsOffset(value: Buffer | null | undefined): bigint | undefined {
  const v = parse(value);
  if (!isObject(v) || typeof v.next !== "string" || !/^\d+$/.test(v.next)) return undefined;
  return BigInt(v.next);
}

/** Key of a partition's record in the owners topic (one key: compaction keeps the latest owner). */
const OWNER_KEY = Buffer.from("owner");

/** The sequencer instance (its transactional id) that owns `partition` from this record on. */
export function encodeOwner(topic: string, partition: number, transactionalId: string): OutRecord {
  return {
    topic,
    partition,
    key: OWNER_KEY,
    value: Buffer.from(JSON.stringify({ transactionalId })),
    headers: new Map(),
  };
}

/** Decodes an owner record; undefined when malformed. */
export function decodeOwner(value: Buffer | null | undefined): string | undefined {
  const v = parse(value);
  return isObject(v) && typeof v.transactionalId === "string" ? v.transactionalId : undefined;
}

/** Decodes a room head; undefined when malformed or a tombstone. */
export function decodeState(value: Buffer | null | undefined): RoomState | undefined {
  const v = parse(value);
  if (!isObject(v) || typeof v.epoch !== "string" || typeof v.lastSeq !== "number") return undefined;
  return { epoch: v.epoch, lastSeq: v.lastSeq };
}
