/**
 * Connection states.
 * - `disconnected`: idle; never connected, or the app called `disconnect()`.
 * - `connecting`: a socket is opening or the `connect` handshake is in flight.
 * - `connected`: the server answered `connected`; frames flow.
 * - `reconnecting`: the link dropped; waiting out a backoff delay before `connecting` again.
 * - `closed`: the server refused us for good (terminal close code); only `connect()` leaves it.
 */
export type ConnectionState = "disconnected" | "connecting" | "connected" | "reconnecting" | "closed";

/** Emitted on every state change, from the one place state changes. */
export interface StateChange {
  oldState: ConnectionState;
  newState: ConnectionState;
  reason: string;
}

const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  disconnected: ["connecting"],
  connecting: ["connected", "reconnecting", "disconnected", "closed"],
  connected: ["reconnecting", "disconnected", "closed"],
  reconnecting: ["connecting", "disconnected", "closed"],
  closed: ["connecting", "disconnected"],
};

/** Whether the state machine allows going from `from` to `to`. */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * The connection state machine: `setState` is the single choke point, so every
 * change is validated and observed exactly once.
 */
export class ConnectionStateMachine {
  #state: ConnectionState = "disconnected";

  constructor(private readonly onChange: (change: StateChange) => void) {}

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Moves to `newState`. Returns false (and emits nothing) when already there;
   * throws on a transition the diagram does not allow, since that is a client bug.
   */
  setState(newState: ConnectionState, reason: string): boolean {
    const oldState = this.#state;
    if (oldState === newState) return false;
    if (!canTransition(oldState, newState)) {
      throw new Error(`parley: illegal connection transition ${oldState} -> ${newState} (${reason})`);
    }
    this.#state = newState;
    this.onChange({ oldState, newState, reason });
    return true;
  }
}
