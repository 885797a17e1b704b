import type { ConnectedFrame, ErrorCode, ServerFrame } from "@parley/protocol";
import type { Principal } from "../auth/principal.js";
import type { GatewayContext } from "./context.js";
import type { SessionState } from "./session-state.js";
import type { SmallMap } from "./small-map.js";
import type { Subscription, SubscriptionOwner } from "./subscription.js";
import type { UserInbox } from "./inbox.js";

// The session as the files it calls see it. session.ts imports connect.ts and handlers.ts;
// they know the session only through these interfaces, so imports run one way.

/** What the `connect` handler uses of its session (connect.ts). */
export interface HandshakeSession {
  readonly id: string;
  readonly ctx: GatewayContext;
  readonly state: SessionState;
  fail(code: ErrorCode, message?: string, id?: number): void;
  close(code: number, reason: string): void;
  /** Authenticated as `principal`: moves to connected, replies `frame`, then runs the frames queued meanwhile. */
  connected(principal: Principal, frame: ConnectedFrame): void;
}

/** What the handlers of a connected session's frames use of it (handlers.ts, subscribe.ts). */
export interface SessionPort extends SubscriptionOwner {
  readonly id: string;
  readonly ctx: GatewayContext;
  /** Checked after every await: the session may have closed meanwhile. */
  readonly state: SessionState;
  readonly subs: SmallMap<string, Subscription>;
  /** The connection's inbox, once it sent `inbox` (closed with the session). */
  inbox: UserInbox | undefined;
  reply(frame: ServerFrame): void;
  fail(code: ErrorCode, message?: string, id?: number): void;
  takePublish(now: number): boolean;
  takeTyping(now: number): boolean;
  bufferedBytes(): number;
}

/** Who sent a frame: the connected session and the principal of its connected state. */
export interface Caller {
  readonly session: SessionPort;
  readonly principal: Principal;
}
