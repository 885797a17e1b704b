/**
 * Turns an events-topic record into a StoredEvent. Kept apart from the
 * consumer so the record format (owned by the Kafka log) is mapped in one place.
 */
import type { RoomEvent } from "@parley/protocol";
import { HEADER_NAME } from "../kafka/records.js";
import type { StoredEvent } from "../postgres/events.js";

/** A record's headers, as the client reads them (name and value; either may be null). */
export type RecordHeaders = Iterable<readonly [Buffer | null, Buffer | null]>;

/** Decodes one record value (and headers); undefined for a record that is not a room event. */
export type SinkDecoder = (value: Buffer | undefined, headers: RecordHeaders) => StoredEvent | undefined;

function isEvent(x: unknown): x is RoomEvent {
  const e = x as Partial<RoomEvent> | null;
  return typeof e === "object" && e !== null && typeof e.room === "string" && Number.isSafeInteger(e.seq);
}

/** The first header named `name`, compared as bytes (no string per header of every record). */
function header(headers: RecordHeaders, name: Buffer): Buffer | undefined {
  for (const [k, v] of headers) if (k && v && k.equals(name)) return v;
  return undefined;
}

/**
 * The default decoder, for the events-topic format of kafka/records.ts: a JSON
 * RoomEvent with headers `parley-t` (only `event` is stored, `duplicate`
 * markers are skipped) and `parley-epoch`. Also accepts `{ event, epoch }`. Anything else
 * (tombstones, control records) is skipped, never fatal.
 */
export const decodeEventRecord: SinkDecoder = (value, headers) => {
  if (!value || value.length === 0) return undefined;
  // kafka/records.ts: `duplicate` markers answer a retrying gateway; only `event` records are history.
  const type = header(headers, HEADER_NAME.type)?.toString();
  if (type !== undefined && type !== "event") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch {
    return undefined;
  }
  const wrapped = parsed as { event?: unknown; epoch?: unknown };
  const candidate = isEvent(wrapped.event) ? wrapped.event : parsed;
  if (!isEvent(candidate)) return undefined;
  const { room, seq, id, from, ts, kind, body, cmid } = candidate;
  const event: RoomEvent = { room, seq, id, from, ts, kind, body, cmid };
  const epoch = typeof wrapped.epoch === "string" ? wrapped.epoch : header(headers, HEADER_NAME.epoch)?.toString();
  return epoch === undefined ? { event } : { event, epoch };
};
