import { useEffect, useState, useSyncExternalStore } from "react";
import { useConnectionState, useParley } from "@parley/react";

const BACK_ONLINE_MS = 3000;

function subscribeOnline(fn: () => void): () => void {
  addEventListener("online", fn);
  addEventListener("offline", fn);
  return () => {
    removeEventListener("online", fn);
    removeEventListener("offline", fn);
  };
}

/**
 * Says what the connection really is: it follows the client's state machine
 * (not a guess from the browser), and uses the browser's offline flag only to
 * explain why a reconnect is not happening. Unsent messages are counted.
 */
export function ConnectionBanner() {
  const { state, everConnected, reconnected, since } = useConnectionState();
  const { tracker } = useParley();
  const online = useSyncExternalStore(subscribeOnline, () => navigator.onLine);
  const waiting = useSyncExternalStore(
    tracker?.subscribe ?? (() => () => undefined),
    () => tracker?.messages.filter((m) => m.status === "queued").length ?? 0,
  );
  const [recent, setRecent] = useState(false);
  useEffect(() => {
    if (!reconnected || Date.now() - since > BACK_ONLINE_MS) return;
    setRecent(true);
    const timer = setTimeout(() => setRecent(false), BACK_ONLINE_MS);
    return () => clearTimeout(timer);
  }, [reconnected, since]);

  const { kind, text } = describe(state, everConnected, online, recent);
  const queued = waiting > 0 && kind !== "ok" ? ` ${waiting} message${waiting === 1 ? "" : "s"} waiting to send.` : "";
  return (
    <div
      className={`banner banner-${kind}`}
      role="status"
      aria-live="polite"
      data-state={state}
      data-testid="connection-banner"
    >
      {text && (
        <span>
          {text}
          {queued}
        </span>
      )}
    </div>
  );
}

function describe(
  state: string,
  everConnected: boolean,
  online: boolean,
  recent: boolean,
): { kind: "ok" | "info" | "warn" | "error"; text: string } {
  // The browser knows first: offline is said at once, not after the heartbeat notices the dead link.
  if (!online && state !== "closed") {
    return { kind: "warn", text: "You are offline. Messages will be sent when the connection returns." };
  }
  if (state === "connected") return recent ? { kind: "info", text: "Back online." } : { kind: "ok", text: "" };
  if (state === "closed") return { kind: "error", text: "Disconnected by the server. Sign out and in again." };
  if (state === "disconnected") return { kind: "warn", text: "Not connected." };
  if (!everConnected) return { kind: "info", text: "Connecting…" };
  return { kind: "warn", text: "Connection lost. Reconnecting…" };
}
