/**
 * The cost model's parameters (docs/cluster.md, "The cost model"). Every constant the model uses lives in one
 * `Calibration`; `bench/src/routing-model/calibrate.ts` fits the measurable ones to `npm run bench -- routing`
 * and writes them into `calibrated.ts`, which is what the product uses by default.
 */

/** A latency segment's median and 99th percentile, in milliseconds. */
export interface SegmentMs {
  p50: number;
  p99: number;
}

/** CPU per unit of work, in µs, of one process kind. */
export interface Calibration {
  /** Gateway CPU per events-topic record it reads (`everything`): fetch, decode, room lookup. */
  gatewayReadUs: number;
  /** Gateway CPU per record read from its forward topic (`redistributed`, Kafka forwarding), join check included. */
  gatewayForwardReadUs: number;
  /** Gateway CPU per record received over a redistributor's direct stream. */
  gatewayDirectReadUs: number;
  /** Gateway CPU per message delivered to a client (the same under both routings). */
  gatewayDeliverUs: number;
  /**
   * Gateway CPU per publish it takes from a client (checks, produce to the commands topic, the ack): the same
   * under both routings. Without it the fit put the publishes' cost on each record read (313 µs at 100 events/s).
   */
  gatewayPublishUs: number;
  /** Gateway CPU per second with no traffic: heartbeats, lease, presence, metrics. */
  gatewayIdleUsPerSec: number;
  /** Redistributor CPU per second with no traffic (group heartbeats, backchannel, leases), each busy one. */
  redistributorIdleUsPerSec: number;
  /** Redistributor CPU per events-topic record it reads and routes. */
  redistributorReadUs: number;
  /** Redistributor CPU per forward (one record to one gateway) over Kafka: a produce with acks=all. */
  redistributorForwardKafkaUs: number;
  /** Redistributor CPU per forward over the direct stream. */
  redistributorForwardDirectUs: number;
  /** Broker CPU per byte it sends to a consumer. */
  brokerOutUsPerByte: number;
  /** Broker CPU per record produced to it (events, or a forward topic). */
  brokerInUsPerRecord: number;
  /** Broker CPU per second with no events: the JVM, group coordination, every client's heartbeats and polls. */
  brokerIdleUsPerSec: number;
  /**
   * Bytes per second the broker sends each connected Parley process with no events: empty fetch answers,
   * heartbeats, metadata, the presence topic. The routing run measured ~43 KB/s more per added gateway under
   * direct forwarding, where a gateway reads no record at all.
   */
  brokerOutBytesPerProcessPerSec: number;
  /** Bytes a record costs on the wire beyond its payload: the event's JSON envelope, key, headers, batch share. */
  recordOverheadBytes: number;
  /** Consumers that read every event besides gateways and redistributors (the sink). */
  otherReaders: number;
  /** Parley processes connected to the broker besides gateways and redistributors (a sequencer, a sink). */
  otherProcesses: number;
  /** Cores one gateway or redistributor process can use for this work (Node: one main thread). */
  coresPerProcess: number;
  /** Latency segments; each process's own segments stretch by 1/(1-ρ) of its CPU use ρ. */
  latency: {
    /** Publish to record visible in the events topic (gateway produce, sequencer transaction). */
    append: SegmentMs;
    /** A consumer's fetch: record visible to record in the consumer's hands. */
    fetch: SegmentMs;
    /** A redistributor's produce to a gateway's forward topic, acks=all. */
    forwardProduce: SegmentMs;
    /** A redistributor's send over the direct stream. */
    directSend: SegmentMs;
    /** A gateway's handling to the client's socket write. */
    deliver: SegmentMs;
  };
  /** How `chooseRouting` decides (policy, not fitted). */
  choice: {
    /** The p99 publish→deliver a routing must predict to be chosen on cost. */
    latencyBudgetP99Ms: number;
    /** Redistributed must cost this fraction less than everything to be chosen (it has more moving parts). */
    switchMargin: number;
  };
  /** Where the numbers come from (priors, or the bench run they were fitted to). */
  source: string;
}

/**
 * Priors, estimated from docs/performance.md and docs/cluster.md before any routing measurement: a gateway's
 * Kafka-mode fan-out costs 10–26 µs per delivered message; a gateway spends ~14 % of its CPU in the Kafka
 * client and ~6 % decoding records (of 58 µs per ack); Kafka-mode fan-out at 10k/s had p50 6–13 ms and p99
 * 52–111 ms; DMs at 1 000/s p50 25–120 ms, p99 95–400 ms on the shared broker; broker CPU per ack 40–140 µs
 * (produce, transactions and three readers together; a fetch is served by sendfile, so bytes out are cheap).
 */
export const PRIOR_CALIBRATION: Calibration = {
  gatewayReadUs: 10,
  gatewayForwardReadUs: 12,
  gatewayDirectReadUs: 8,
  gatewayDeliverUs: 15,
  gatewayPublishUs: 50,
  gatewayIdleUsPerSec: 20_000,
  redistributorIdleUsPerSec: 20_000,
  redistributorReadUs: 8,
  redistributorForwardKafkaUs: 15,
  redistributorForwardDirectUs: 10,
  brokerOutUsPerByte: 0.005,
  brokerInUsPerRecord: 10,
  brokerIdleUsPerSec: 50_000,
  brokerOutBytesPerProcessPerSec: 10_000,
  recordOverheadBytes: 300,
  otherReaders: 1,
  otherProcesses: 2,
  coresPerProcess: 1,
  latency: {
    append: { p50: 20, p99: 100 },
    fetch: { p50: 5, p99: 40 },
    forwardProduce: { p50: 5, p99: 30 },
    directSend: { p50: 1, p99: 10 },
    deliver: { p50: 0.5, p99: 5 },
  },
  choice: { latencyBudgetP99Ms: 250, switchMargin: 0.1 },
  source: "priors from docs/performance.md and docs/cluster.md (no routing measurement yet)",
};
