/** Receives a typing notice another node relayed: `user` is typing in `room`. */
export type TypingListener = (room: string, user: string) => void;

/**
 * Carries typing notices between the nodes of a cluster (a single node has
 * none: its gateway delivers every notice itself).
 *
 * Contract:
 * - The gateway calls `send` for a notice typed on this node, after its
 *   checks (subscribed, `publish` capability, the connection's typing rate)
 *   and after delivering it to its own subscribers. Each call is relayed at
 *   most once, so no node delivers more notices than the sender's rate lets
 *   through.
 * - Listeners hear the notices of every other node, never this node's own,
 *   in the order each node sent them.
 * - Best effort and ephemeral: a notice may be lost (the client sends the
 *   next one soon) and is never stored, replayed or retried.
 */
export interface TypingRelay {
  send(room: string, user: string): void;
  /** Registers a listener for other nodes' notices; returns an unsubscribe function. */
  onTyping(listener: TypingListener): () => void;
}
