/**
 * The routing bench's cluster (issue 15): a sequencer, a sink, R redistributors (redistributed routing only)
 * and G gateways, each a `parley start --role …` process of the current build in one ClusterSpace, with the
 * same `--routing` and `--forwarding` on every process. Roles are split rather than `--role all`, so each
 * gateway's CPU is its own and no gateway also sequences or sinks.
 */
import type { ClusterRole } from "./cluster-services.js";
import { startRoles } from "./cluster-system.js";
import type { StartOptions } from "./parley-process.js";
import type { RunningSystem } from "./system.js";

/** Partitions of the commands and events topics (the product's default, written out so a point records it). */
export const ROUTING_PARTITIONS = 12;

/** What one routing cluster runs. */
export interface RoutingTopology {
  readonly gateways: number;
  readonly routing: "everything" | "redistributed";
  /** Redistributed routing's forwarding; null with `everything`. */
  readonly forwarding: "kafka" | "direct" | null;
  readonly redistributors: number;
}

/** The running processes by role. */
export interface RoutingCluster {
  readonly gateways: readonly RunningSystem[];
  readonly redistributors: readonly RunningSystem[];
  /** The sequencer and the sink. */
  readonly others: readonly RunningSystem[];
  stop(): Promise<void>;
}

/** `parley start` flags of the topology, beside the space's (brokers, database, prefix, role). */
function routingArgs(t: RoutingTopology): string[] {
  const forwarding = t.forwarding === null ? [] : ["--forwarding", t.forwarding];
  return ["--routing", t.routing, ...forwarding, "--topic-partitions", String(ROUTING_PARTITIONS)];
}

/**
 * Starts the sequencer alone first (it creates the topics and must own the partitions before anyone
 * publishes), then the sink, the redistributors and the gateways at once, each waited for until ready
 * (startRoles). Not waited for by port: an `everything` gateway reads up to 5 000 records per partition
 * before it listens, which late in a run on a loaded box took longer than the port wait's 20 s; /readyz
 * waits 60 s.
 */
export async function startRoutingCluster(opts: StartOptions, t: RoutingTopology): Promise<RoutingCluster> {
  const space = opts.space;
  if (!opts.cluster || !space) throw new Error("the routing cluster runs in a ClusterSpace of the routing scenario");
  const roles: ClusterRole[] = [
    "sequencer",
    "sink",
    ...Array<ClusterRole>(t.routing === "redistributed" ? t.redistributors : 0).fill("redistributor"),
    ...Array<ClusterRole>(t.gateways).fill("gateway"),
  ];
  const { started, stop } = await startRoles(opts, "parley-kafka-split", roles, {
    space,
    args: routingArgs(t),
    listens: false,
  });
  const of = (role: ClusterRole) => started.filter((s) => s.role === role).map((s) => s.p);
  return {
    gateways: of("gateway"),
    redistributors: of("redistributor"),
    others: [...of("sequencer"), ...of("sink")],
    stop,
  };
}
