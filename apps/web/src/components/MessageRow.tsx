import { memo } from "react";
import type { ChatMessage } from "@parley/react";
import { clock, fullTime } from "./time.js";

interface RowProps {
  row: ChatMessage;
  mine: boolean;
  grouped: boolean;
  onRetry: (cmid: string) => void;
  onDismiss: (cmid: string) => void;
}

/** One message: sender and time (unless it continues the previous sender's group), text, and its delivery state. */
export const MessageRow = memo(function MessageRow({ row, mine, grouped, onRetry, onDismiss }: RowProps) {
  return (
    <li
      className={`message ${grouped ? "grouped" : ""} ${mine ? "mine" : ""} state-${row.state}`}
      data-seq={row.seq}
      data-cmid={row.cmid}
      data-state={row.state}
    >
      {grouped ? (
        <span className="visually-hidden">
          {row.from}, {fullTime(row.ts)}
        </span>
      ) : (
        <div className="meta">
          <span className="sender">{row.from}</span>
          <time dateTime={new Date(row.ts).toISOString()} title={fullTime(row.ts)}>
            {clock(row.ts)}
          </time>
        </div>
      )}
      <div className="body">{textOf(row.body)}</div>
      {mine && <Delivery row={row} onRetry={onRetry} onDismiss={onDismiss} />}
    </li>
  );
});

function Delivery({ row, onRetry, onDismiss }: Omit<RowProps, "mine" | "grouped">) {
  switch (row.state) {
    case "sending":
      return <span className="delivery">Sending…</span>;
    case "retrying":
      return <span className="delivery warn">Not sent yet, retrying…</span>;
    case "sent":
      return (
        <span className="delivery sent">
          <span aria-hidden="true">✓</span>
          <span className="visually-hidden">Sent</span>
        </span>
      );
    case "failed":
      return (
        <span className="delivery failed">
          Failed{row.error ? `: ${row.error}` : ""}.{" "}
          <button type="button" className="link-button" onClick={() => onRetry(row.cmid)}>
            Retry
          </button>{" "}
          <button type="button" className="link-button" onClick={() => onDismiss(row.cmid)}>
            Remove
          </button>
        </span>
      );
  }
}

function textOf(body: ChatMessage["body"]): string {
  if (body && typeof body === "object" && !Array.isArray(body) && typeof body.text === "string") return body.text;
  return JSON.stringify(body);
}
