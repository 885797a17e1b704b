/** Receives a disconnect another node relayed: close `user`'s sessions (`reconnect`: with a code that lets them return). */
export type DisconnectListener = (user: string, reconnect: boolean) => void;

/**
 * Carries the server API's "disconnect this user everywhere" between the
 * nodes of a cluster (a single node has none: its gateway closes its own
 * sessions).
 *
 * Contract:
 * - `send` resolves once the other nodes can read the request (in a cluster:
 *   it is on the short-retention topic every gateway reads); it rejects with
 *   ParleyError UNAVAILABLE when it could not be handed on.
 * - Listeners hear every other node's requests, never this node's own.
 * - Ephemeral: a node that is down when the request passes never sees it,
 *   which is right, since its sessions are gone too. It ends the sessions of
 *   that moment; it revokes no token (a user whose token still works may
 *   connect again: revoke access by other means, or have clients stop on the
 *   terminal close code).
 */
export interface DisconnectRelay {
  send(user: string, reconnect: boolean): Promise<void>;
  /** Registers a listener for other nodes' requests; returns an unsubscribe function. */
  onDisconnect(listener: DisconnectListener): () => void;
}
