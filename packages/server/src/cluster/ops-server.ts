/**
 * The HTTP server of a cluster process without a gateway (`--role sequencer`
 * or `sink`): /healthz, /readyz and /metrics only, on `--port` (TLS, host and
 * timeouts as a gateway's). It listens before the roles start, so /readyz
 * answers 503 `starting` until they can work.
 */
import type { Server } from "node:http";
import type { ParleyConfig } from "../config/options.js";
import { addOpsRoutes, type Readiness } from "../http/ops-routes.js";
import { sendError } from "../http/respond.js";
import { Router } from "../http/router.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import { createHttp, listen } from "../server.js";
import { hostAllowed } from "../transport/origin.js";

/** A listening ops server. */
export interface OpsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on config.port with the ops routes; `metrics` undefined (metrics: false) leaves /metrics out. */
export async function startOpsServer(
  config: ParleyConfig,
  state: Readiness,
  metrics: Metrics | undefined,
  logger: Logger,
): Promise<OpsServer> {
  const router = new Router();
  addOpsRoutes(router, state, metrics);
  const server = createHttp(config);
  server.on("request", (req, res) => {
    if (!hostAllowed(req, config)) return sendError(res, "FORBIDDEN", `Host ${req.headers.host} is not served here`);
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = router.match(req.method ?? "GET", url.pathname);
    if (match.kind !== "found") return sendError(res, "NOT_FOUND", `no route for ${req.method} ${url.pathname}`);
    Promise.resolve(match.handler(req, res, match.params, url)).catch((err: unknown) => {
      logger.error({ err, url: req.url }, "ops request failed");
      if (!res.headersSent) sendError(res, "INTERNAL", "ops request failed");
    });
  });
  const { address: host, ...address } = await listen(server, config);
  logger.info({ host, port: address.port, url: address.url }, "listening");
  return { ...address, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
