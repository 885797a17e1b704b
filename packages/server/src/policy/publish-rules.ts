/**
 * What the gateway checks before a chat event (docs/chat.md, "Event kinds")
 * enters the log. One module for every write path (WebSocket/SSE `pub` and
 * REST publish), so the rules cannot drift apart. The decision itself is
 * pure (`decideChatPublish`); `checkPublish` gathers its inputs: the body's
 * shape, the token's capabilities with the room rule, and the target event
 * read back through the EventLog, so the embedded and Kafka logs behave alike.
 *
 * The check is advisory under races: an edit that passes here but is
 * sequenced after its target's delete is ignored by every fold and
 * projection (the log order decides), never rejected after the fact.
 */
import { checkChatBody, isTombstone, targetOf, type ErrorCode, type RoomEvent } from "@parley/protocol";
import { capsAllow, type RoomAccess } from "./access.js";
import type { Capability, Principal } from "../auth/principal.js";
import type { EventLog, PublishCommand } from "../log/event-log.js";

/** Why a publish is refused: a stable code and a message for the client. */
export interface PublishRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** The capability a publish of `kind` needs (delete: see `deleteCapability`). */
export function capabilityFor(kind: string): Capability {
  switch (kind) {
    case "edit":
      return "edit";
    case "delete":
      return "delete";
    case "reaction":
      return "react";
    case "receipt":
      return "subscribe";
    default:
      return "publish";
  }
}

/** What the pure decision needs to know about the publisher and the room. */
export interface PublishFacts {
  readonly user: string;
  readonly kind: string;
  readonly body: unknown;
  /** The event at the body's target seq, if the room has one there. */
  readonly target: RoomEvent | undefined;
  /** The room's head (receipts are checked against it). */
  readonly lastSeq: number;
  /** Whether the token may delete anyone's messages in this room. */
  readonly deleteAny: boolean;
}

/** The refusal for a publish whose shape and capability already passed, or undefined to accept it. */
export function decideChatPublish(f: PublishFacts): PublishRefusal | undefined {
  if (f.kind === "receipt") {
    const upTo = (f.body as { upTo: number }).upTo;
    return upTo <= f.lastSeq ? undefined : notFound(`upTo ${upTo} is above the room's head ${f.lastSeq}`);
  }
  const seq = targetOf({ kind: f.kind, body: f.body as RoomEvent["body"] });
  if (seq === undefined) return undefined;
  const t = f.target;
  if (!t || t.seq !== seq || t.kind !== "message") return notFound(`seq ${seq} is not a message of this room`);
  if (f.kind === "edit" || f.kind === "reaction") {
    if (isTombstone(t.body)) return notFound(`message ${seq} was deleted`);
    if (f.kind === "edit" && t.from !== f.user) return { code: "NOT_AUTHOR", message: "only the author may edit" };
  }
  if (f.kind === "delete" && t.from !== f.user && !f.deleteAny) {
    return { code: "NOT_AUTHOR", message: "deleting another's message needs delete_any" };
  }
  return undefined;
}

/** Says why a publish was FORBIDDEN: the token's missing capability, or else the room's own rule. */
export function forbiddenMessage(kind: string, room: string, needed: Capability, hasCapability: boolean): string {
  const what = kind === "message" ? "publish" : `publish ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
  const why = hasCapability ? "the room admits only its members" : `the token lacks \`${needed}\``;
  return `you may not ${what} in ${room}: ${why}`;
}

function notFound(message: string): PublishRefusal {
  return { code: "TARGET_NOT_FOUND", message };
}

/** Where checkPublish reads targets, heads and room rules from. */
export interface PublishCheckSources {
  readonly log: Pick<EventLog, "read" | "head" | "reach">;
  readonly access: RoomAccess;
}

/**
 * How long a check waits for a log that may lag (EventLog.reach) to reach a seq the publisher names: the
 * publisher saw it acked, maybe through another gateway. Refusing at once would be final (TARGET_NOT_FOUND)
 * for a publish whose earlier try may already be sequenced: the refusal never reaches the sequencer's dedupe.
 */
const REACH_WAIT_MS = 10_000;

/** The room's head, once a log that may lag has reached `seq` (or REACH_WAIT_MS passed). */
async function headReaching(log: PublishCheckSources["log"], room: string, seq: number): Promise<number> {
  const { lastSeq } = await log.head(room);
  if (lastSeq >= seq || !log.reach || !(await log.reach(room, seq, REACH_WAIT_MS))) return lastSeq;
  return (await log.head(room)).lastSeq;
}

/**
 * Every check a publish passes before `log.append`: body shape (BAD_EVENT),
 * capability and room rule (FORBIDDEN), then target and authorship. Resolves
 * with the refusal, or undefined when the publish may go ahead.
 */
export async function checkPublish(
  principal: Principal,
  command: PublishCommand,
  sources: PublishCheckSources,
): Promise<PublishRefusal | undefined> {
  const { room, kind, body } = command;
  const shape = checkChatBody(kind, body);
  if (shape !== undefined) return { code: "BAD_EVENT", message: shape };
  if (kind === "receipt") {
    const refused = await readRefusal(principal, room, sources.access);
    if (refused) return refused;
    const lastSeq = await headReaching(sources.log, room, (body as { upTo: number }).upTo);
    return decideChatPublish({ user: principal.user, kind, body, target: undefined, lastSeq, deleteAny: false });
  }
  const deleteAny = kind === "delete" && capsAllow(principal.caps, room, "delete_any");
  const needed = deleteAny ? "delete_any" : capabilityFor(kind);
  const denied = await sources.access.refusal(principal, room, needed);
  if (denied)
    return { code: denied, message: forbiddenMessage(kind, room, needed, capsAllow(principal.caps, room, needed)) };
  const seq = targetOf({ kind, body });
  if (seq === undefined) return undefined;
  let [target] = await sources.log.read(room, seq - 1, 1);
  if (!target && (await headReaching(sources.log, room, seq)) >= seq)
    [target] = await sources.log.read(room, seq - 1, 1);
  return decideChatPublish({ user: principal.user, kind, body, target, lastSeq: 0, deleteAny });
}

/**
 * Who may move their read position in a room, by a `receipt` event or by
 * `POST /v1/rooms/{room}/read`: `subscribe` on it and the room's own rule
 * (anyone in a public room, members of a private one, a DM's users). The one
 * place both paths ask, so they cannot disagree.
 */
export async function readRefusal(
  principal: Principal,
  room: string,
  access: RoomAccess,
): Promise<PublishRefusal | undefined> {
  const denied = await access.refusal(principal, room, "subscribe");
  if (!denied) return undefined;
  return {
    code: denied,
    message: forbiddenMessage("receipt", room, "subscribe", capsAllow(principal.caps, room, "subscribe")),
  };
}
