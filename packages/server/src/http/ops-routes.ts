import { Gauge } from "prom-client";
import type { Metrics } from "../metrics/metrics.js";
import type { GatewayView } from "./context.js";
import { sendJson } from "./respond.js";
import type { Router } from "./router.js";

/** Lifecycle flags the readiness probe reports. */
export interface Readiness {
  /** Log and store started. */
  started: boolean;
  draining: boolean;
  /** False while a part of the node cannot do its work (a gateway's storage, a sequencer's partitions, the sink); absent: always ready. */
  ready?: () => boolean;
}

/** Registers /healthz, /readyz and (unless disabled) /metrics; every role serves them, a gateway adds its gauges. */
export function addOpsRoutes(
  router: Router,
  state: Readiness,
  metrics: Metrics | undefined,
  gateway?: GatewayView,
): void {
  router.add("GET", "/healthz", (_req, res) => sendJson(res, 200, { status: "ok" }));
  router.add("GET", "/readyz", (_req, res) => {
    sendJson(res, readinessStatus(state) === "ready" ? 200 : 503, { status: readinessStatus(state) });
  });
  if (!metrics) return;
  if (gateway) registerGatewayGauges(metrics, gateway);
  router.add("GET", "/metrics", async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(text);
  });
}

/** The readiness probe's answer. `degraded`: started, but a part cannot work (an events partition not read, a sequencer partition not owned yet, the sink failing). */
export function readinessStatus(state: Readiness): "ready" | "starting" | "draining" | "degraded" {
  if (state.draining) return "draining";
  if (!state.started) return "starting";
  return (state.ready?.() ?? true) ? "ready" : "degraded";
}

/** Gauges read from the gateway at scrape time, so they can never drift from its real state. */
function registerGatewayGauges(metrics: Metrics, gateway: GatewayView): void {
  new Gauge({
    name: "parley_node_connections",
    help: "Client connections on this node (all transports), read from the gateway at scrape time.",
    registers: [metrics.registry],
    collect() {
      this.set(gateway.stats().connections);
    },
  });
  new Gauge({
    name: "parley_node_users",
    help: "Distinct users with a connection on this node, read from the gateway at scrape time.",
    registers: [metrics.registry],
    collect() {
      this.set(gateway.stats().users);
    },
  });
  new Gauge({
    name: "parley_node_rooms",
    help: "Rooms with local subscribers on this node, read from the gateway at scrape time.",
    registers: [metrics.registry],
    collect() {
      this.set(gateway.stats().rooms);
    },
  });
}
