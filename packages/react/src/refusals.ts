/**
 * Own edits, deletes and reactions the server refused for good (NOT_AUTHOR,
 * FORBIDDEN, TARGET_NOT_FOUND, BAD_EVENT, …). The fold drops them, so without
 * this the change would just vanish: a refusal names the message it was
 * meant for and a short reason a UI can show next to it until dismissed.
 */
import type { TrackedMessage } from "./outbox-tracker.js";

/** A refused change of one message. */
export interface Refusal {
  /** The outbox entry's cmid: pass it to `dismiss` to drop the notice. */
  cmid: string;
  /** The seq of the message the change was for. */
  target: number;
  kind: "edit" | "delete" | "reaction";
  /** The server's stable error code, when it gave one. */
  code: string | undefined;
  /** A short sentence for the user, e.g. "Couldn't edit: only the author can edit". */
  text: string;
}

/** The kinds a refusal is kept for (other refused kinds, like receipts, have nothing to show). */
export const REFUSABLE_KINDS: readonly string[] = ["edit", "delete", "reaction"];

/** Whether a tracked entry is a refused change that a notice shows. */
export function isRefusal(t: TrackedMessage): boolean {
  return t.status === "failed" && REFUSABLE_KINDS.includes(t.entry.kind ?? "message") && targetOf(t) !== undefined;
}

/** The refusals in `room`, in outbox order. */
export function refusalsOf(tracked: readonly TrackedMessage[], room: string): Refusal[] {
  return tracked.flatMap((t) => {
    const target = targetOf(t);
    if (t.entry.room !== room || !isRefusal(t) || target === undefined) return [];
    const kind = t.entry.kind as Refusal["kind"];
    return [{ cmid: t.entry.cmid, target, kind, code: t.code, text: refusalText(t, kind) }];
  });
}

/** "Couldn't <verb>: <reason>". */
export function refusalText(t: Pick<TrackedMessage, "entry" | "code" | "error">, kind: Refusal["kind"]): string {
  const op = (t.entry.body as { op?: unknown } | null)?.op;
  const verb = kind === "reaction" ? (op === "remove" ? "remove the reaction" : "react") : kind;
  return `Couldn't ${verb}: ${reason(kind, t.code) ?? t.error ?? "the server refused it"}`;
}

function reason(kind: Refusal["kind"], code: string | undefined): string | undefined {
  switch (code) {
    case "NOT_AUTHOR":
      return kind === "delete" ? "only the author or a moderator can delete" : "only the author can edit";
    case "FORBIDDEN":
      return kind === "reaction" ? "you may not react in this room" : `you may not ${kind} messages in this room`;
    case "TARGET_NOT_FOUND":
      return "the message is gone";
    case "BAD_EVENT":
      return "the server could not accept this change";
    default:
      return undefined;
  }
}

function targetOf(t: TrackedMessage): number | undefined {
  const target = (t.entry.body as { target?: unknown } | null)?.target;
  return typeof target === "number" ? target : undefined;
}
