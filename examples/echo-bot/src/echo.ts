/**
 * What the bot answers, as a pure function of one event: `!echo <text>` in a chat message gets
 * `<text>` back in the same room, as a reply to the command. Everything else gets nothing.
 */
import type { RoomEvent } from "@parley/protocol";
import type { ServerMessage } from "@parley/client/server";

/** The command prefix the bot answers. */
export const COMMAND = "!echo";

/**
 * The answer to `event`, or undefined. Loop guard: the bot never answers an event of its own
 * (its answers never start with the command anyway, but another bot's echo of it might).
 * The answer's cmid is derived from the command's event id, so handling a command twice (the events
 * topic is read at least once) publishes one answer: the second publish is a duplicate of the first.
 */
export function answerTo(event: RoomEvent, bot: string): ServerMessage | undefined {
  if (event.from === bot || event.kind !== "message") return undefined;
  const text = textOf(event.body);
  if (text === undefined || !(text === COMMAND || text.startsWith(`${COMMAND} `))) return undefined;
  const said = text.slice(COMMAND.length).trim();
  return {
    from: bot,
    cmid: `echo-${event.id}`,
    body: { text: said === "" ? "(nothing to echo)" : said, replyTo: event.seq },
  };
}

function textOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const text = (body as { text?: unknown }).text;
  return typeof text === "string" ? text : undefined;
}
