/**
 * The fields of bench/results/routing.json (/work/briefs/schema-routing.md) the cost model reads and writes.
 * Kept to what the calibration needs, so a routing run with added fields reads as is.
 */
export interface PointGateway {
  recordsReadPerSec: number;
  bytesReadPerSec: number;
  forwardedBytesPerSec: number;
  deliveredPerSec: number;
  cpuUsPerSec: number;
  /** Added by the routing bench: records received whatever the channel (Kafka or the direct stream). */
  recordsReceivedPerSec?: number;
}

export interface PointPrediction {
  perGatewayRecordsReadPerSec: number;
  perGatewayCpuUsPerSec: number;
  latencyMs: { p50: number; p99: number };
  brokerOutBytesPerSec: number;
  /** Added: records a gateway receives, over Kafka or the direct stream (equals the above but for direct). */
  perGatewayRecordsReceivedPerSec: number;
  /** Added: the calibration the prediction used. */
  calibration: string;
}

export interface ModelPoint {
  id: string;
  heldBack: boolean;
  gateways: number;
  routing: "everything" | "redistributed";
  forwarding: "kafka" | "direct" | null;
  redistributors: number;
  partitions: number;
  workload: {
    roomSize: number;
    rooms: number;
    spread: "local" | "spread";
    connections: number;
    publishesPerSec: number;
    payloadBytes: number;
  };
  measured: {
    eventsPerSec: number;
    deliveredPerSec: number;
    latencyMs: { p50: number; p99: number };
    perGateway: PointGateway[];
    redistributors: Array<{ recordsReadPerSec: number; forwardsPerSec: number; cpuUsPerSec: number }>;
    brokerOutBytesPerSec: number;
    brokerCpuUsPerSec: number;
  };
  predicted?: PointPrediction;
}

export interface ModelResults {
  date: string;
  machine: { cores: number; load1Start: number; load1End: number };
  points: ModelPoint[];
}

/** Records a gateway received: the bench's own count when it gave one, else Kafka reads or direct bytes per record. */
export function recordsReceived(g: PointGateway, recordBytes: number): number {
  if (g.recordsReceivedPerSec !== undefined) return g.recordsReceivedPerSec;
  return g.recordsReadPerSec + (recordBytes > 0 ? g.forwardedBytesPerSec / recordBytes : 0);
}
