import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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
  readonly publishes = new Counter({
    name: "parley_publishes_total",
    help: "Publishes by outcome.",
    labelNames: ["outcome"] as const,
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

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
