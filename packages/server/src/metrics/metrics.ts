import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Buckets of a storage round (a Kafka transaction, a PostgreSQL batch): 1 ms to 2.5 s. */
const STORAGE_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The server's Prometheus metrics, on a registry of its own (no global state between servers in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: "parley_connections",
    help: "Open client connections.",
    labelNames: ["transport"] as const,
    registers: [this.registry],
  });
  readonly rooms = new Gauge({
    name: "parley_active_rooms",
    help: "Rooms with at least one local subscriber.",
    registers: [this.registry],
  });
  readonly inboxes = new Gauge({
    name: "parley_inboxes",
    help: "Open per-user channels (inboxes) of local connections.",
    registers: [this.registry],
  });
  readonly inboxPushes = new Counter({
    name: "parley_inbox_pushes_total",
    help: "inbox.room and inbox.gone frames sent (snapshots not counted).",
    registers: [this.registry],
  });
  readonly publishes = new Counter({
    name: "parley_publishes_total",
    help: "Publishes by outcome.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly bridgeRecords = new Counter({
    name: "parley_bridge_records_total",
    help: "External Kafka records the inbound bridge handled, by outcome: event, duplicate (a replay) or dead_letter.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly gatewayRecordsRead = new Counter({
    name: "parley_gateway_records_read_total",
    help: "Kafka records a gateway read to deliver events: every events-topic record (routing everything) or those forwarded to it (redistributed).",
    labelNames: ["routing"] as const,
    registers: [this.registry],
  });
  readonly gatewayBytesRead = new Counter({
    name: "parley_gateway_bytes_read_total",
    help: "Bytes (key, value and headers) of the records counted by parley_gateway_records_read_total, by the channel they came over: kafka, or direct (the redistributor's stream).",
    labelNames: ["routing", "channel"] as const,
    registers: [this.registry],
  });
  readonly redistributorRecords = new Counter({
    name: "parley_redistributor_records_total",
    help: "Events-topic records a redistributor read, and the forwards it sent (one per record and gateway).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly routingMode = new Gauge({
    name: "parley_routing_mode",
    help: "The routing in force on a `--routing auto` gateway: 1 for it, 0 for the other (docs/cluster.md, Routing: auto).",
    labelNames: ["mode"] as const,
    registers: [this.registry],
  });
  readonly routingDecisions = new Counter({
    name: "parley_routing_decisions_total",
    help: "Evaluations of a `--routing auto` gateway by the routing the cost model chose (a switch needs several in a row).",
    labelNames: ["chosen"] as const,
    registers: [this.registry],
  });
  readonly routingSwitches = new Counter({
    name: "parley_routing_switches_total",
    help: "Feed handovers of a `--routing auto` gateway by the routing switched to (abandoned: no redistributor answered).",
    labelNames: ["to", "result"] as const,
    registers: [this.registry],
  });
  readonly routingPredictedCpu = new Gauge({
    name: "parley_routing_predicted_cpu_us_per_second",
    help: "The cost model's cluster CPU per gateway (µs/s) for each routing at the last evaluation of a `--routing auto` gateway.",
    labelNames: ["routing"] as const,
    registers: [this.registry],
  });
  readonly routingPredictedP99 = new Gauge({
    name: "parley_routing_predicted_p99_ms",
    help: "The cost model's publish→deliver p99 (ms) for each routing at the last evaluation of a `--routing auto` gateway.",
    labelNames: ["routing"] as const,
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: "parley_deliveries_total",
    help: "Events written to subscriber connections.",
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: "parley_ack_latency_seconds",
    help: "Publish received to ack sent.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly bufferDrops = new Counter({
    name: "parley_slow_consumer_disconnects_total",
    help: "Connections cut off because their outbound buffer overflowed.",
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: "parley_tcp_connections_refused_total",
    help: "TCP connections closed on arrival by maxConnections or maxConnectionsPerAddress.",
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "parley_protocol_errors_total",
    help: "Error frames sent, by code.",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly pushes = new Counter({
    name: "parley_pushes_total",
    help: "Web Push requests by outcome (sent, gone = subscription removed, failed, dropped = queue full).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly sseForwards = new Counter({
    name: "parley_sse_forwards_total",
    help: "SSE POSTs forwarded to the gateway holding their session (relayed; unreachable = answered 404).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly sinkLostOffsets = new Counter({
    name: "parley_sink_lost_offsets_total",
    help: "Events-topic offsets the sink could not refill: PostgreSQL lacked them and Kafka no longer retained them.",
    labelNames: ["partition"] as const,
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({
    name: "parley_webhook_attempts_total",
    help: "Webhook POSTs by outcome (delivered, failed = will be retried, failing = retries exhausted, pausing).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly sequencerBatchSize = new Histogram({
    name: "parley_sequencer_batch_size",
    help: "Commands per sequencer transaction.",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly sequencerTransaction = new Histogram({
    name: "parley_sequencer_transaction_seconds",
    help: "Sequencer transaction time: records sent to commit acknowledged.",
    buckets: STORAGE_SECONDS,
    registers: [this.registry],
  });
  readonly sinkBatch = new Histogram({
    name: "parley_sink_batch_seconds",
    help: "Time to write one sink batch to PostgreSQL.",
    buckets: STORAGE_SECONDS,
    registers: [this.registry],
  });
  private readonly lagSources: LagSource[] = [];
  private readonly gatewayCounts: Array<() => number> = [];

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
    const sources = this.lagSources;
    const counts = this.gatewayCounts;
    new Gauge({
      name: "parley_redistributor_gateways",
      help: "Gateways whose lease a redistributor holds alive: those it routes to (read at scrape time).",
      registers: [this.registry],
      collect() {
        if (counts.length > 0) this.set(counts.reduce((sum, read) => sum + read(), 0));
      },
    });
    new Gauge({
      name: "parley_consumer_lag",
      help: "Records of a partition its consumer has not yet processed (partition end minus position), read at scrape time.",
      labelNames: ["consumer", "topic", "partition"] as const,
      registers: [this.registry],
      // Reset first: a partition that moved to another process must not keep its last value here.
      async collect() {
        this.reset();
        for (const source of sources) {
          for (const [partition, lag] of await source.read()) {
            this.set({ consumer: source.consumer, topic: source.topic, partition: String(partition) }, Number(lag));
          }
        }
      },
    });
  }

  /** Reports the live gateways a redistributor routes to as `parley_redistributor_gateways`; read at every scrape. */
  addRedistributor(liveGateways: () => number): void {
    this.gatewayCounts.push(liveGateways);
  }

  /** Reports a consumer's lag per partition as `parley_consumer_lag`; `read` is called at every scrape. */
  addLagSource(source: LagSource): void {
    this.lagSources.push(source);
  }
}

/** One consumer's lag: `read` answers per partition it reads now; partitions it does not read are left out. */
export interface LagSource {
  /** `sequencer`, `sink`, `gateway` or `bridge`. */
  readonly consumer: string;
  readonly topic: string;
  read(): ReadonlyMap<number, bigint> | Promise<ReadonlyMap<number, bigint>>;
}
