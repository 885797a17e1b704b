/**
 * The wire format of redistributed routing (docs/cluster.md, "Routing"), in
 * one place so gateways and redistributors agree.
 *
 * - `<prefix>interest` (compacted, one partition), the backchannel:
 *   - key `<gateway>`: the gateway's lease, value `{ "leaseMs": n }` (with
 *     direct forwarding also `"direct": { "url", "token" }`: its inbox), renewed
 *     well within leaseMs; a null value (tombstone) says the gateway left.
 *     Every interest of a gateway whose lease lapsed is ignored.
 *   - key `<gateway>\0<room>`: the gateway wants the room's events, value
 *     `{ "after": seq }` (the last seq it holds, 0 for none: a redistributor
 *     answers with a join record); a tombstone withdraws the interest.
 * - `<prefix>gateway.<gateway>` (one partition per gateway, its forward
 *   topic): events-topic records forwarded unchanged (events and duplicate
 *   markers), and join records: header `parley-t` = `join`, key = room, value
 *   `{ room, last, events }`: the room's events after the declared seq that the
 *   redistributor holds, and the last seq it has forwarded decisions for
 *   (null when it saw none of the room's events).
 */
import type { RoomEvent } from "@parley/protocol";
import { header, HEADER_NAME, type OutRecord } from "./records.js";

/** The `parley-t` value of a join record. */
const JOIN = Buffer.from("join");

/** The backchannel topic and a gateway's forward topic. */
export function interestTopic(prefix: string): string {
  return `${prefix}interest`;
}

/** The forward topic of one gateway. */
export function gatewayTopic(prefix: string, gateway: string): string {
  return `${prefix}gateway.${gateway}`;
}

/** A decoded backchannel record. */
/** Where a redistributor delivers to a gateway directly (direct-forwarding.ts), and the token it must show. */
export interface DirectInbox {
  readonly url: string;
  readonly token: string;
}

export type InterestRecord =
  | { readonly type: "lease"; readonly gateway: string; readonly leaseMs: number; readonly direct?: DirectInbox }
  | { readonly type: "leave"; readonly gateway: string }
  | { readonly type: "declare"; readonly gateway: string; readonly room: string; readonly after: number }
  | { readonly type: "withdraw"; readonly gateway: string; readonly room: string };

const SEP = "\u0000";

/** A backchannel record to produce; `value` null is Kafka's tombstone (compaction then forgets the key). */
export interface InterestOut {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** Encodes a backchannel record (key and value; a withdraw or leave is a tombstone). */
export function encodeInterest(topic: string, rec: InterestRecord): InterestOut {
  const key = rec.type === "lease" || rec.type === "leave" ? rec.gateway : `${rec.gateway}${SEP}${rec.room}`;
  let value: Buffer | null = null;
  if (rec.type === "lease") value = Buffer.from(JSON.stringify({ leaseMs: rec.leaseMs, direct: rec.direct }));
  if (rec.type === "declare") value = Buffer.from(JSON.stringify({ after: rec.after }));
  return { topic, partition: 0, key: Buffer.from(key), value };
}

/** Backchannel records as the producer takes them (a tombstone's null value included; its types only say Buffer). */
export function interestMessages(
  topic: string,
  records: readonly InterestRecord[],
): { topic: string; value: Buffer }[] {
  return records.map((r) => ({ ...encodeInterest(topic, r) }) as { topic: string; value: Buffer });
}

/** Decodes a backchannel record; undefined when it is not one Parley wrote. */
export function decodeInterest(key: Buffer | null, value: Buffer | null): InterestRecord | undefined {
  if (!key) return undefined;
  const [gateway, room, extra] = key.toString("utf8").split(SEP);
  if (!gateway || extra !== undefined) return undefined;
  const v = parseObject(value);
  if (room === undefined) {
    if (!value || value.length === 0) return { type: "leave", gateway };
    if (typeof v?.leaseMs !== "number") return undefined;
    const direct = directOf(v.direct);
    return direct
      ? { type: "lease", gateway, leaseMs: v.leaseMs, direct }
      : { type: "lease", gateway, leaseMs: v.leaseMs };
  }
  if (!value || value.length === 0) return { type: "withdraw", gateway, room };
  return typeof v?.after === "number" ? { type: "declare", gateway, room, after: v.after } : undefined;
}

/** A redistributor's answer to a declared interest. */
export interface JoinAnswer {
  readonly room: string;
  /** The last seq of the room the redistributor has routed; null when it saw none of its events. */
  readonly last: number | null;
  /** The room's events after the declared seq that it holds, ascending and contiguous, ending at `last`. */
  readonly events: readonly RoomEvent[];
}

/** A join record for a gateway's forward topic. */
export function encodeJoin(topic: string, answer: JoinAnswer): OutRecord {
  return {
    topic,
    partition: 0,
    key: Buffer.from(answer.room),
    value: Buffer.from(JSON.stringify(answer)),
    headers: new Map([[HEADER_NAME.type, JOIN]]),
  };
}

/** Decodes a join record; undefined for any other record. */
export function decodeJoin(
  value: Buffer | null,
  raw: Iterable<readonly [Buffer | null, Buffer | null]>,
): JoinAnswer | undefined {
  if (!header(raw, HEADER_NAME.type)?.equals(JOIN)) return undefined;
  const v = parseObject(value);
  if (!v || typeof v.room !== "string" || !Array.isArray(v.events)) return undefined;
  const last = typeof v.last === "number" ? v.last : null;
  return { room: v.room, last, events: v.events as RoomEvent[] };
}

function directOf(v: unknown): DirectInbox | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const { url, token } = v as Record<string, unknown>;
  return typeof url === "string" && typeof token === "string" ? { url, token } : undefined;
}

function parseObject(value: Buffer | null): Record<string, unknown> | undefined {
  if (!value || value.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(value.toString("utf8"));
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
