/**
 * Where each gateway of the cluster listens, as the gateways announce it on
 * the presence topic (presence-link.ts: every snapshot carries its node's
 * advertised URL). A gateway forwards an SSE POST only to an address found
 * here, so the forward targets come from the cluster itself, never from a
 * client. A node not heard from within the timeout is forgotten, as its
 * presence is: a POST for its sessions is then answered 404.
 */
import type { SseNodes } from "../transport/sse-forward.js";

/** Options of NodeDirectory. */
export interface NodeDirectoryOptions {
  readonly nodeId: string;
  /** A node silent this long is forgotten. */
  readonly nodeTimeoutMs: number;
  readonly now?: () => number;
}

/** The gateways' advertised URLs by node id. */
export class NodeDirectory implements SseNodes {
  readonly nodeId: string;
  /** This node's advertised URL, once it listens (announced with its snapshots). */
  selfUrl: string | undefined;
  private readonly nodes = new Map<string, { url: string; seen: number }>();
  private readonly now: () => number;

  constructor(private readonly options: NodeDirectoryOptions) {
    this.nodeId = options.nodeId;
    this.now = options.now ?? Date.now;
  }

  urlOf(nodeId: string): string | undefined {
    return this.nodes.get(nodeId)?.url;
  }

  /** Node `nodeId` says it listens at `url`; true when it was not known (or moved). Other than http(s) URLs are ignored. */
  heard(nodeId: string, url: string): boolean {
    if (nodeId === this.nodeId || !isHttpUrl(url)) return false;
    const known = this.nodes.get(nodeId)?.url === url;
    this.nodes.set(nodeId, { url, seen: this.now() });
    return !known;
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
