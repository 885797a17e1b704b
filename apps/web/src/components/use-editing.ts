import { useCallback, useState } from "react";
import type { ChatMessage } from "@parley/react";

/** Which message of a list is edited inline; `editLast` starts on my newest one (↑ in an empty composer). */
export function useEditing(rows: readonly ChatMessage[], me: string) {
  const [editing, setEditing] = useState<number | undefined>(undefined);
  const editLast = useCallback((): boolean => {
    const last = rows.findLast((r) => r.from === me && r.seq !== undefined && r.state === "sent" && !r.view.deleted);
    if (last?.seq === undefined) return false;
    setEditing(last.seq);
    return true;
  }, [rows, me]);
  return { editing, onEditing: setEditing, editLast };
}
