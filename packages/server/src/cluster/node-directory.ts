/**
 * Where each gateway of the cluster listens, as the gateways announce it on
 * the presence topic (presence-link.ts: every snapshot carries its node's
 * advertised URL). A gateway forwards an SSE POST only to an address found
 * here, so the forward targets come from the cluster itself, never from a
 * client. A node not heard from within the timeout is forgotten, as its
 * presence is: a POST for its sessions is then answered 404. A second
 * directory holds the nodes without a gateway (sequencers, sinks, bridges:
 * ops-beacon.ts), which the admin dashboard reads and SSE never forwards to.
 */
import type { AnnouncedNode } from "../http/admin-nodes.js";
import type { SseNodes } from "../transport/sse-forward.js";

/** Options of NodeDirectory. */
export interface NodeDirectoryOptions {
  readonly nodeId: string;
  /** A node silent this long is forgotten. */
  readonly nodeTimeoutMs: number;
  readonly now?: () => number;
}

/** What a gateway's snapshot says it runs when it does not say (a gateway announcing before roles were sent). */
const GATEWAY: readonly string[] = ["gateway"];

/** Nodes' advertised URLs (and roles, for the admin dashboard) by node id. */
export class NodeDirectory implements SseNodes {
  readonly nodeId: string;
  /** This node's advertised URL, once it listens (announced with its snapshots). */
  selfUrl: string | undefined;
  private readonly nodes = new Map<string, { url: string; roles: readonly string[]; seen: number }>();
  private readonly now: () => number;

  constructor(private readonly options: NodeDirectoryOptions) {
    this.nodeId = options.nodeId;
    this.now = options.now ?? Date.now;
  }

  urlOf(nodeId: string): string | undefined {
    return this.nodes.get(nodeId)?.url;
  }

  /** Node `nodeId` says it listens at `url`; true when it was not known (or moved). Other than http(s) URLs are ignored. */
  heard(nodeId: string, url: string, roles: readonly string[] = GATEWAY): boolean {
    if (nodeId === this.nodeId || !isHttpUrl(url)) return false;
    const known = this.nodes.get(nodeId)?.url === url;
    this.nodes.set(nodeId, { url, roles, seen: this.now() });
    return !known;
  }

  /** Every node known now, by id. */
  list(): AnnouncedNode[] {
    return [...this.nodes].map(([id, { url, roles }]) => ({ id, url, roles })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Node `nodeId` said goodbye. */
  forget(nodeId: string): void {
    this.nodes.delete(nodeId);
  }

  /** Forgets nodes not heard from within the timeout. Call every second or so. */
  expire(): void {
    const cutoff = this.now() - this.options.nodeTimeoutMs;
    for (const [id, node] of this.nodes) if (node.seen < cutoff) this.nodes.delete(id);
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
