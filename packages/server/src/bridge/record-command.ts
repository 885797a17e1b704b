/**
 * One external Kafka record → the PublishCommand it becomes, or the reason it
 * cannot become one (a dead letter). Pure: the same record under the same
 * mapping always gives the same command, which is what makes a replayed
 * record a duplicate rather than a second event.
 */
import { createHash } from "node:crypto";
import { ROOM_ID_PATTERN, type ErrorCode, type Json } from "@parley/protocol";
import type { PublishCommand } from "../log/event-log.js";
import type { RoomSource, TopicMapping } from "./mapping.js";

/** A consumed record as the bridge sees it. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: ReadonlyMap<Buffer, Buffer>;
}

/** Why a record cannot become an event: a catalogued code and a message (dead-letter headers). */
export interface RecordRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

const ROOM = new RegExp(ROOM_ID_PATTERN);
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The record's client message id: `kafka:<topic tag>:<partition>:<offset>`
 * (at most 48 characters, so within CMID_PATTERN's 64 for any topic name).
 * The tag hashes the topic's name and its id, so a deleted and recreated topic,
 * whose offsets start again at 0, does not look like a replay of the old one.
 */
export function recordCmid(record: Pick<SourceRecord, "topic" | "partition" | "offset">, topicId: string): string {
  const tag = createHash("sha256").update(`${record.topic}\u0000${topicId}`).digest("base64url").slice(0, 11);
  return `kafka:${tag}:${record.partition}:${record.offset}`;
}

/** The command a record becomes under its mapping, or why it cannot become one. */
export function recordCommand(
  record: SourceRecord,
  mapping: TopicMapping,
  topicId: string,
): PublishCommand | RecordRefusal {
  const body = parseValue(record.value);
  if ("code" in body) return body;
  const room = roomOf(record, mapping.room, body.json);
  if (typeof room !== "string") return room;
  return { room, cmid: recordCmid(record, topicId), from: mapping.author, kind: mapping.kind, body: body.json };
}

function parseValue(value: Buffer | undefined): { json: Json } | RecordRefusal {
  if (!value || value.length === 0) return { code: "BAD_JSON", message: "the record has no value" };
  try {
    return { json: JSON.parse(UTF8.decode(value)) as Json };
  } catch (err) {
    return { code: "BAD_JSON", message: `the record value is not JSON: ${(err as Error).message}` };
  }
}

function roomOf(record: SourceRecord, source: RoomSource, json: Json): string | RecordRefusal {
  const [what, text] = roomText(record, source, json);
  if (text === undefined) return { code: "BAD_REQUEST", message: `the record has no room: ${what} is missing` };
  if (!ROOM.test(text)) return { code: "BAD_REQUEST", message: `${what} ${JSON.stringify(text)} is not a room id` };
  return text;
}

/** What names the room (for messages) and its text, if the record has one. */
function roomText(record: SourceRecord, source: RoomSource, json: Json): [string, string | undefined] {
  switch (source.from) {
    case "fixed":
      return ["the mapping's room", source.room];
    case "key":
      return ["the record key", decoded(record.key)];
    case "header": {
      const found = [...record.headers].find(([k]) => k.toString("utf8") === source.name);
      return [`header ${source.name}`, decoded(found?.[1])];
    }
    case "field": {
      const value = source.path.reduce<unknown>(
        (at, step) =>
          at !== null && typeof at === "object" && !Array.isArray(at)
            ? (at as Record<string, unknown>)[step]
            : undefined,
        json,
      );
      return [`field ${source.path.join(".")}`, typeof value === "string" ? value : undefined];
    }
  }
}

function decoded(bytes: Buffer | undefined): string | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
