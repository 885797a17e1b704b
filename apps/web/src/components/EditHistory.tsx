import { useState } from "react";
import type { EditView } from "@parley/client";
import { fullTime } from "./time.js";

/** The "(edited)" marker: the previous text on hover, every version on click. */
export function EditHistory({ history }: { history: readonly EditView[] }) {
  const [open, setOpen] = useState(false);
  const previous = history.at(-2)?.text ?? "";
  return (
    <>
      {" "}
      <button
        type="button"
        className="edited"
        aria-expanded={open}
        title={`Before: ${previous}`}
        onClick={() => setOpen((o) => !o)}
      >
        (edited)
      </button>
      {open && (
        <ol className="edit-history" aria-label="Edit history">
          {history.map((h, i) => (
            <li key={h.seq}>
              <time dateTime={new Date(h.ts).toISOString()}>{fullTime(h.ts)}</time>{" "}
              <span className="version-label">
                {i === 0 ? "original" : i === history.length - 1 ? "current" : "edit"}
              </span>
              : {h.text}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
