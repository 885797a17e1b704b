/**
 * "Disconnect this user everywhere" across gateways: one record per request on
 * the presence topic (presence-link.ts), which every gateway reads; each
 * closes its own sessions of the user. Unbatched: requests are rare, and the
 * caller waits for its record to be written.
 */
import { ParleyError } from "@parley/protocol";
import type { DisconnectListener, DisconnectRelay } from "../presence/disconnect-relay.js";

/** What nodes publish: one request. */
export interface DisconnectRecord {
  readonly node: string;
  readonly disconnect: { readonly user: string; readonly reconnect: boolean };
}

/** Options of ClusterDisconnect. */
export interface ClusterDisconnectOptions {
  readonly nodeId: string;
  /** Writes a record for the other nodes; resolves once it is written. */
  readonly publish: (record: DisconnectRecord) => Promise<void>;
}

/** Cluster-wide DisconnectRelay over the presence link. */
export class ClusterDisconnect implements DisconnectRelay {
  private readonly listeners = new Set<DisconnectListener>();

  constructor(private readonly options: ClusterDisconnectOptions) {}

  async send(user: string, reconnect: boolean): Promise<void> {
    try {
      await this.options.publish({ node: this.options.nodeId, disconnect: { user, reconnect } });
    } catch (err) {
      throw new ParleyError("UNAVAILABLE", "the other gateways could not be told (presence topic)", { cause: err });
    }
  }

  onDisconnect(listener: DisconnectListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands another node's request to the listeners; this node's own and malformed ones are skipped. */
  apply(record: Partial<DisconnectRecord>): void {
    const { node, disconnect } = record;
    if (node === this.options.nodeId || typeof disconnect?.user !== "string") return;
    for (const listener of this.listeners) listener(disconnect.user, disconnect.reconnect === true);
  }
}
