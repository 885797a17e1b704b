/**
 * PARLEY_ROUTING_CALIBRATION for the auto routing tests (docs/cluster.md, "Routing: auto"): reading an
 * events-topic record costs 2 ms of gateway CPU, a forwarded one 2.4 ms, a redistributor nothing when
 * idle, and the p99 budget is out of the way, so `redistributed` wins below f ≈ 0.7 at tens of events/s
 * (with the priors, a cluster this small always keeps `everything`).
 */
export const AUTO_TEST_CALIBRATION = JSON.stringify({
  gatewayReadUs: 2000,
  gatewayForwardReadUs: 2400,
  gatewayDirectReadUs: 2400,
  redistributorIdleUsPerSec: 0,
  choice: { latencyBudgetP99Ms: 60_000 },
});
