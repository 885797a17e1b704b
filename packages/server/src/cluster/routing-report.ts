/**
 * What a `--routing auto` gateway says about its routing (docs/cluster.md, "Routing: auto"): a log line
 * whenever the cost model's choice changes (with `chooseRouting`'s reason), one per handover, and the
 * /metrics series: `parley_routing_mode{mode}` (1 for the routing in force), `parley_routing_decisions_total
 * {chosen}`, `parley_routing_switches_total{to,result}` and the predicted cost and p99 of both routings.
 */
import type { ParleyConfig } from "../config/options.js";
import type { AutoRoutingSettings, RoutingEvaluation, RoutingSwitch } from "../kafka/log/auto-routing.js";
import { calibrationOverride } from "../kafka/routing/calibration-override.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";

/** `auto`'s settings for a gateway: the options, the test-only calibration override, and the reports. */
export function autoRoutingSettings(
  config: Pick<ParleyConfig, "routingIntervalMs" | "routingHysteresis" | "forwarding">,
  metrics: Metrics,
  logger: Logger,
  gateways: () => number,
): AutoRoutingSettings {
  let chosen: string | undefined;
  showMode(metrics, "everything");
  return {
    intervalMs: config.routingIntervalMs,
    hysteresis: config.routingHysteresis,
    forwarding: config.forwarding === "direct" ? "direct" : "kafka",
    gateways,
    calibration: calibrationOverride(process.env.PARLEY_ROUTING_CALIBRATION),
    onEvaluation(e: RoutingEvaluation) {
      const { choice } = e;
      metrics.routingDecisions.inc({ chosen: choice.routing });
      for (const routing of ["everything", "redistributed"] as const) {
        metrics.routingPredictedCpu.set({ routing }, choice.predicted[routing].cpuUsPerSec);
        metrics.routingPredictedP99.set({ routing }, choice.predicted[routing].latencyP99Ms);
      }
      if (choice.routing !== chosen || e.switchTo) logEvaluation(logger, e);
      chosen = choice.routing;
    },
    onSwitch(s: RoutingSwitch) {
      metrics.routingSwitches.inc({ to: s.to, result: s.done ? "done" : "abandoned" });
      if (s.done) showMode(metrics, s.to);
      const context = { routing: s.done ? s.to : s.from, ms: s.ms };
      if (s.done) logger.info(context, `routing auto: now ${s.to} (handover from ${s.from} took ${s.ms} ms)`);
      else logger.warn(context, `routing auto: handover to ${s.to} abandoned after ${s.ms} ms; staying ${s.from}`);
    },
  };
}

function showMode(metrics: Metrics, mode: "everything" | "redistributed"): void {
  metrics.routingMode.set({ mode }, 1);
  metrics.routingMode.set({ mode: mode === "everything" ? "redistributed" : "everything" }, 0);
}

function logEvaluation(logger: Logger, e: RoutingEvaluation): void {
  const { view, choice, current } = e;
  const context = { chosen: choice.routing, current, held: e.held, view, predicted: choice.predicted };
  const action = e.switchTo
    ? `switching from ${current}`
    : choice.routing === current
      ? `keeps ${current}`
      : `stays ${current} until the choice holds`;
  logger.info(context, `routing auto: chooses ${choice.routing} (${action}): ${choice.reason}`);
}
