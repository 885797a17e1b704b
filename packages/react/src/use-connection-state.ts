import { useEffect, useState } from "react";
import type { ConnectionState } from "@parley/client";
import { useParley } from "./context.js";

/** The connection state with the reason of its last change and when it changed. */
export interface ConnectionInfo {
  state: ConnectionState;
  reason: string;
  /** ms since the epoch of the last change (or of the first render). */
  since: number;
  /** True once a session has been established at least once: "reconnecting" means lost, not "never had". */
  everConnected: boolean;
  /** True while `connected` follows a lost connection (not the first connect): time to say "back online". */
  reconnected: boolean;
}

/** Follows the client's connection state machine; re-renders on every transition. */
export function useConnectionState(): ConnectionInfo {
  const { client } = useParley();
  const [info, setInfo] = useState<ConnectionInfo>(() => initial(client.state));
  useEffect(() => {
    setInfo((prev) => (prev.state === client.state ? prev : { ...prev, state: client.state, since: Date.now() }));
    return client.on("state", ({ newState, reason }) =>
      setInfo((prev) => ({
        state: newState,
        reason,
        since: Date.now(),
        everConnected: prev.everConnected || newState === "connected",
        reconnected: newState === "connected" && prev.everConnected,
      })),
    );
  }, [client]);
  return info;
}

function initial(state: ConnectionState): ConnectionInfo {
  return { state, reason: "", since: Date.now(), everConnected: state === "connected", reconnected: false };
}
