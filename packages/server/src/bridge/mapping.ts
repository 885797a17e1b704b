/**
 * The inbound bridge's mapping from external Kafka topics to rooms, one
 * mapping per entry of `bridgeTopics` (a flag, `PARLEY_BRIDGE_TOPICS`, or a
 * list in the `--config` file: one syntax everywhere, docs/kafka.md):
 *
 *   <topic> room=<source> author=<user> [kind=<kind>]
 *
 * where the room source is `fixed:<room>`, `key` (the record key),
 * `header:<name>` or `field:<dotted.path>` (a string in the JSON value).
 * Words are separated by spaces, so a list of mappings can still be one
 * comma-separated flag (room ids, users and topics hold neither).
 */
import { KIND_PATTERN, ROOM_ID_PATTERN, USER_ID_PATTERN } from "@parley/protocol";
import { ConfigError } from "../config/load-config.js";

/** Where a record's room comes from. */
export type RoomSource =
  | { readonly from: "fixed"; readonly room: string }
  | { readonly from: "key" }
  | { readonly from: "header"; readonly name: string }
  | { readonly from: "field"; readonly path: readonly string[] };

/** What the records of one external topic become. */
export interface TopicMapping {
  readonly topic: string;
  readonly room: RoomSource;
  /** The event kind of every record (default `message`). */
  readonly kind: string;
  /** The bot or system user the events are from (servicePrincipal). */
  readonly author: string;
}

/** Kafka's own rule for topic names (legal characters, at most 249). */
const TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
const ROOM = new RegExp(ROOM_ID_PATTERN);
const USER = new RegExp(USER_ID_PATTERN);
const KIND = new RegExp(KIND_PATTERN);
const WORDS = ["room", "author", "kind"] as const;

/** Parses every entry; throws ConfigError naming the entry and what is wrong with it. */
export function parseMappings(entries: readonly string[]): TopicMapping[] {
  const mappings = entries.map(parseMapping);
  const seen = new Set<string>();
  for (const m of mappings) {
    if (seen.has(m.topic)) throw new ConfigError(`bridgeTopics: topic ${m.topic} is mapped twice`);
    seen.add(m.topic);
  }
  return mappings;
}

/** Parses one `<topic> room=… author=… [kind=…]` entry. */
export function parseMapping(entry: string): TopicMapping {
  const fail = (why: string): never => {
    throw new ConfigError(
      `bridgeTopics ${JSON.stringify(entry)}: ${why} (format: <topic> room=<source> author=<user> [kind=<kind>])`,
    );
  };
  const [topic = "", ...rest] = entry.trim().split(/\s+/);
  if (!TOPIC_PATTERN.test(topic)) fail(`${JSON.stringify(topic)} is not a Kafka topic name`);
  const words = new Map<string, string>();
  for (const word of rest) {
    const eq = word.indexOf("=");
    const name = word.slice(0, eq);
    if (eq < 0 || !(WORDS as readonly string[]).includes(name)) fail(`unknown word ${JSON.stringify(word)}`);
    if (words.has(name)) fail(`${name}= is given twice`);
    words.set(name, word.slice(eq + 1));
  }
  const author = words.get("author") ?? fail("author= is missing");
  if (!USER.test(author)) fail(`author ${JSON.stringify(author)} is not a user id`);
  const kind = words.get("kind") ?? "message";
  if (!KIND.test(kind)) fail(`kind ${JSON.stringify(kind)} is not an event kind`);
  const room = parseRoomSource(words.get("room") ?? fail("room= is missing"), fail);
  return { topic, room, kind, author };
}

function parseRoomSource(text: string, fail: (why: string) => never): RoomSource {
  if (text === "key") return { from: "key" };
  const colon = text.indexOf(":");
  const [how, what] = colon < 0 ? [text, ""] : [text.slice(0, colon), text.slice(colon + 1)];
  switch (how) {
    case "fixed":
      if (!ROOM.test(what)) fail(`room=fixed: needs a room id, got ${JSON.stringify(what)}`);
      return { from: "fixed", room: what };
    case "header":
      if (what === "") fail("room=header: needs a header name");
      return { from: "header", name: what };
    case "field": {
      const path = what.split(".");
      if (path.some((p) => p === "")) fail(`room=field: needs a dotted field path, got ${JSON.stringify(what)}`);
      return { from: "field", path };
    }
    default:
      return fail(`room=${text} is not key, fixed:<room>, header:<name> or field:<path>`);
  }
}
