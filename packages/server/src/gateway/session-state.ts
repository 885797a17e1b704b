import type { Principal } from "../auth/principal.js";
import type { Transitions } from "./transitions.js";

/**
 * A session's state. The principal belongs to the connected state: a session
 * has one exactly while connected, so no code has to assume it.
 * - `awaiting`: the transport is open; the first frame must be `connect`.
 * - `authenticating`: `connect` is being checked; later frames queue behind it.
 * - `connected`: authenticated as `principal`; frames run.
 * - `closed`: left every room; sends nothing more (terminal).
 */
export type SessionState =
  | { readonly name: "awaiting" }
  | { readonly name: "authenticating" }
  | { readonly name: "connected"; readonly principal: Principal }
  | { readonly name: "closed" };

export type SessionStateName = SessionState["name"];

/** The session's diagram; `Session.transition` is the one place it changes state. */
export const SESSION_TRANSITIONS: Transitions<SessionStateName> = {
  awaiting: ["authenticating", "closed"],
  authenticating: ["connected", "closed"],
  connected: ["closed"],
  closed: [],
};

/** The states without data, shared by every session. */
export const AWAITING: SessionState = { name: "awaiting" };
export const AUTHENTICATING: SessionState = { name: "authenticating" };
export const CLOSED: SessionState = { name: "closed" };
