import { createContext, useContext, useEffect, useMemo, type ReactNode } from "react";
import type { ParleyClient } from "@parley/client";
import type { OutboxTracker } from "./outbox-tracker.js";

/** What the provider shares. */
export interface ParleyContextValue {
  client: ParleyClient;
  /** Present when the client's outbox is an OutboxTracker: own messages show before their ack. */
  tracker: OutboxTracker | undefined;
  /** The signed-in user, known even before the first connect (for own pending messages). */
  user: string | undefined;
}

const ParleyContext = createContext<ParleyContextValue | undefined>(undefined);

/** Props of {@link ParleyProvider}. */
export interface ParleyProviderProps {
  client: ParleyClient;
  tracker?: OutboxTracker;
  /** The user the client acts as; defaults to the session's user once connected. */
  user?: string;
  /** Call `client.connect()` on mount (default true). The provider never disconnects: the app owns the client. */
  connect?: boolean;
  children?: ReactNode;
}

/** Makes a ParleyClient (and its outbox tracker) available to the hooks below it. */
export function ParleyProvider({ client, tracker, user, connect = true, children }: ParleyProviderProps): ReactNode {
  useEffect(() => tracker?.attach(client), [client, tracker]);
  useEffect(() => {
    // A failed first connect is reported through state changes; nothing to do with the promise here.
    if (connect) client.connect().catch(() => undefined);
  }, [client, connect]);
  const value = useMemo(() => ({ client, tracker, user }), [client, tracker, user]);
  return <ParleyContext.Provider value={value}>{children}</ParleyContext.Provider>;
}

/** The client and tracker of the nearest ParleyProvider; throws outside one. */
export function useParley(): ParleyContextValue {
  const value = useContext(ParleyContext);
  if (!value) throw new Error("useParley: no <ParleyProvider> above this component");
  return value;
}
