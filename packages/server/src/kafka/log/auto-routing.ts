/**
 * `--routing auto`'s loop (docs/cluster.md, "Routing: auto"): every `intervalMs` it turns the live figures
 * (routing/live-figures.ts) into a GatewayView, asks `chooseRouting` (routing/cost-model.ts), and once a
 * routing other than the one in force has been chosen `hysteresis` times in a row, hands over to it
 * (feed-switch.ts). Each evaluation and each handover is told to the caller (log line, /metrics).
 */
import { Consumer } from "@platformatic/kafka";
import { closeForced } from "../close-client.js";
import { PartitionReader } from "../partition-reader.js";
import type { Calibration } from "../routing/calibration.js";
import { chooseRouting, type GatewayView, type RoutingChoice } from "../routing/cost-model.js";
import { Hysteresis } from "../routing/hysteresis.js";
import type { LiveFigures } from "../routing/live-figures.js";
import type { KafkaClusterOptions, TopicLayout } from "../topics.js";
import type { FeedRouting, FeedSwitch } from "./feed-switch.js";

/** What `--routing auto` is told and how often it decides. */
export interface AutoRoutingSettings {
  /** Between evaluations. Default 15 000 ms. */
  readonly intervalMs?: number;
  /** Evaluations in a row a different routing must be chosen before the gateway switches. Default 3. */
  readonly hysteresis?: number;
  /** Gateways in the cluster, this one included (the presence link's). Default 1. */
  readonly gateways?: () => number;
  /** The forwarding redistributors would use for this gateway. Default kafka. */
  readonly forwarding?: "kafka" | "direct";
  /** The cost model's parameters. Default: the calibrated ones (routing/calibrated.ts). */
  readonly calibration?: Calibration;
  /** After a tail took over, how long the redistributed feed keeps delivering. Default 2000 ms. */
  readonly drainMs?: number;
  /** A handover not done within this long is abandoned. Default 30 000 ms. */
  readonly handoverTimeoutMs?: number;
  /** Told of every evaluation. */
  readonly onEvaluation?: (e: RoutingEvaluation) => void;
  /** Told of every handover's outcome. */
  readonly onSwitch?: (s: RoutingSwitch) => void;
}

/** One evaluation: the figures, the model's choice and the routing in force. */
export interface RoutingEvaluation {
  readonly view: GatewayView;
  readonly choice: RoutingChoice;
  readonly current: FeedRouting;
  /** Set when this evaluation starts a handover. */
  readonly switchTo?: FeedRouting;
  /** Evaluations in a row the other routing has been chosen (0: the one in force was chosen). */
  readonly held: number;
}

/** A finished handover. */
export interface RoutingSwitch {
  readonly from: FeedRouting;
  readonly to: FeedRouting;
  /** False: abandoned (no redistributor answered in time); `from` stays in force. */
  readonly done: boolean;
  readonly ms: number;
}

/** The events topic's end offsets, summed (the events/s when no tail reads them all). */
export class EventsEnd {
  private readonly consumer: Consumer;
  private readonly reader: PartitionReader;

  constructor(
    cluster: KafkaClusterOptions,
    private readonly layout: TopicLayout,
    clientId: string,
  ) {
    this.consumer = new Consumer({
      clientId: `${clientId}-offsets`,
      groupId: `${clientId}-offsets-unjoined`,
      bootstrapBrokers: [...cluster.brokers],
    });
    this.reader = new PartitionReader(this.consumer, layout.names.events);
  }

  /** The sum, or undefined when the broker did not answer. */
  async total(): Promise<bigint | undefined> {
    try {
      const partitions = Array.from({ length: this.layout.partitions }, (_, i) => i);
      const ends = await this.reader.endOffsets(partitions);
      return [...ends.values()].reduce((a, b) => a + b, 0n);
    } catch {
      return undefined;
    }
  }

  close(): Promise<void> {
    return closeForced(this.consumer);
  }
}

/** The evaluation loop of one gateway. */
export class AutoRouting {
  private readonly hysteresis: Hysteresis;
  private timer: NodeJS.Timeout | undefined;
  private evaluating: Promise<void> | undefined;

  constructor(
    private readonly settings: AutoRoutingSettings,
    private readonly figures: LiveFigures,
    private readonly feeds: FeedSwitch,
    private readonly end: EventsEnd,
  ) {
    this.hysteresis = new Hysteresis(settings.hysteresis ?? 3);
  }

  /** Takes the first reading now (the start of the first interval), then evaluates every intervalMs. */
  async start(): Promise<void> {
    await this.evaluate();
    const tick = () => {
      this.evaluating ??= this.evaluate()
        .catch((err: unknown) => console.error("parley: routing auto: evaluation failed:", err))
        .finally(() => (this.evaluating = undefined));
    };
    this.timer = setInterval(tick, this.settings.intervalMs ?? 15_000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.evaluating;
    await this.end.close();
  }

  /** One evaluation; a handover it starts runs on (the next evaluations wait for none). */
  async evaluate(): Promise<void> {
    const endOffsets = await this.end.total();
    const view = this.figures.view({
      now: Date.now(),
      endOffsets,
      tailSince: this.feeds.tailStartedAt,
      gateways: this.settings.gateways?.() ?? 1,
      forwarding: this.settings.forwarding ?? "kafka",
    });
    if (!view) return;
    const choice = chooseRouting(view, this.settings.calibration);
    const current = this.feeds.current;
    const switchTo = this.feeds.busy ? undefined : this.hysteresis.next(current, choice.routing);
    const held = switchTo ? (this.settings.hysteresis ?? 3) : this.hysteresis.held;
    this.settings.onEvaluation?.({ view, choice, current, held, ...(switchTo && { switchTo }) });
    if (switchTo) void this.handOver(current, switchTo);
  }

  private async handOver(from: FeedRouting, to: FeedRouting): Promise<void> {
    const at = Date.now();
    const done = await this.feeds.switchTo(to);
    this.settings.onSwitch?.({ from, to, done, ms: Date.now() - at });
  }
}
