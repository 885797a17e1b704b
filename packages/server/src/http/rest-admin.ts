/**
 * The admin dashboard's data (docs/admin.md): one JSON snapshot of every node, behind a server key
 * with the `admin` scope. Off with the server API (no keys file: SERVER_API_DISABLED); a user token
 * is never an admin credential.
 */
import { addTotals, counterTotals, lagRows } from "../metrics/node-totals.js";
import { parsePromText } from "../metrics/prom-text.js";
import { peerReport, type NodeReport } from "./admin-nodes.js";
import type { HttpContext } from "./context.js";
import { readinessStatus, type Readiness } from "./ops-routes.js";
import { ok, type Reply } from "./rest-call.js";
import type { Router } from "./router.js";
import { serverRoutes, type ServerCall } from "./server-call.js";
import { busiestFirst } from "./rest-server-rooms.js";

/** How many rooms each top list shows. */
const TOP_ROOMS = 10;

/** Registers GET /v1/server/admin/stats. */
export function addAdminRoutes(router: Router, ctx: HttpContext, state: Readiness): void {
  serverRoutes(router, ctx, "admin")("GET", "/v1/server/admin/stats", (call) => adminStats(call, state));
}

async function adminStats(call: ServerCall, state: Readiness): Promise<Reply> {
  const { ctx } = call;
  const others = ctx.nodes?.others() ?? [];
  const nodes = [await selfReport(ctx, state), ...(await Promise.all(others.map(peerReport)))];
  const occupancy = ctx.gateway.occupancy();
  return ok({
    at: Date.now(),
    mode: ctx.nodes ? "cluster" : "embedded",
    node: nodes[0]?.id,
    totals: addTotals(nodes.flatMap((n) => (n.totals ? [n.totals] : []))),
    // Occupancy is cluster-wide (cluster presence): rooms someone is subscribed to anywhere.
    occupiedRooms: occupancy.length,
    topRooms: {
      byConnections: [...occupancy].sort(busiestFirst).slice(0, TOP_ROOMS),
      byMessages: ctx.gateway.busiestRooms(TOP_ROOMS),
    },
    nodes,
  });
}

/** This node: gauges from the gateway itself, counters and lag from its own registry. */
async function selfReport(ctx: HttpContext, state: Readiness): Promise<NodeReport> {
  const samples = ctx.metrics ? parsePromText(await ctx.metrics.registry.metrics()) : [];
  const { connections, users, rooms } = ctx.gateway.stats();
  return {
    id: ctx.nodes?.selfId ?? "embedded",
    roles: ctx.nodes?.selfRoles ?? ["embedded"],
    self: true,
    status: readinessStatus(state),
    totals: { connections, users, rooms, ...counterTotals(samples) },
    lag: lagRows(samples),
  };
}
