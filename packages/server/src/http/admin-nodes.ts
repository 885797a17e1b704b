/**
 * The admin dashboard's view of every node: this one from its own registry, the others by reading
 * their /readyz and /metrics at the URLs the cluster announced (cluster/node-directory.ts), never
 * at an address a request names.
 */
import { lagRows, nodeTotals, type LagRow, type NodeTotals } from "../metrics/node-totals.js";
import { parsePromText } from "../metrics/prom-text.js";

/** How long a peer may take to answer before the dashboard calls it unreachable. */
const PEER_TIMEOUT_MS = 1500;

/** A cluster node as announced: its id, where its HTTP server listens, and its roles. */
export interface AnnouncedNode {
  readonly id: string;
  readonly url: string;
  readonly roles: readonly string[];
}

/** The cluster as this node knows it; absent in embedded mode. */
export interface AdminNodes {
  readonly selfId: string;
  readonly selfRoles: readonly string[];
  /** Every other node heard from lately (gateways, sequencers, sinks). */
  others(): AnnouncedNode[];
}

/** One node's health and figures as the dashboard shows them. */
export interface NodeReport {
  readonly id: string;
  readonly url?: string;
  readonly roles: readonly string[];
  readonly self: boolean;
  /** Its /readyz answer, or `unreachable` when it did not answer in time. */
  readonly status: string;
  /** Absent for a node without a gateway, or one whose /metrics is off or unread. */
  readonly totals?: NodeTotals;
  readonly lag: LagRow[];
}

/** Reads another node's readiness and metrics; never throws (a dead node is a row saying so). */
export async function peerReport(node: AnnouncedNode): Promise<NodeReport> {
  const base = { id: node.id, url: node.url, roles: node.roles, self: false };
  try {
    const [ready, metrics] = await Promise.all([get(`${node.url}/readyz`), get(`${node.url}/metrics`)]);
    const status = ((await ready.json()) as { status?: unknown }).status;
    const samples = metrics.ok ? parsePromText(await metrics.text()) : [];
    const totals = nodeTotals(samples);
    return {
      ...base,
      status: typeof status === "string" ? status : "unknown",
      ...(totals && { totals }),
      lag: lagRows(samples),
    };
  } catch {
    return { ...base, status: "unreachable", lag: [] };
  }
}

function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(PEER_TIMEOUT_MS), redirect: "error" });
}
