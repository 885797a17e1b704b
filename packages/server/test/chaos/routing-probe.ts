/**
 * What a cluster chaos run reads from the nodes' /metrics beside the history
 * checker: events delivered to subscribers per gateway over the whole run
 * (a gateway's counter starts again at each restart, so it is sampled and
 * banked), and with redistributors, the gateways whose lease they hold
 * alive (`parley_redistributor_gateways`). A killed gateway comes back under
 * a new id, so its old lease counts until it lapses; once the run has
 * settled every redistributor must count exactly the running gateways.
 */
import type { TestCluster } from "../support/cluster-fixture.js";
import { scrapeCounter } from "../support/scrape.js";
import { waitUntil } from "../support/wait.js";

/** Often enough that a gateway's deliveries between two samples are few, rarely enough to cost nothing. */
const SAMPLE_MS = 1_000;
/** A lease is 10 s; a dead gateway's must be gone well within this. */
const LEASE_EXPIRY_WAIT_MS = 60_000;

/** Samples the cluster's metrics from start() to stop(). */
export class RoutingProbe {
  /** Per gateway: deliveries of its earlier incarnations, and the last sample of the current one (and its port). */
  private readonly banked: number[];
  private readonly last: Array<{ port: number; value: number }>;
  private peakLeases = 0;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly cluster: TestCluster) {
    this.banked = cluster.gateways.map(() => 0);
    this.last = cluster.gateways.map(() => ({ port: 0, value: 0 }));
  }

  /** One sample at a time: the next is due SAMPLE_MS after the last one ended, however slow the nodes answer. */
  start(): void {
    const next = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void (this.sampling = this.sample().then(next)), SAMPLE_MS);
    };
    next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sampling;
  }

  /**
   * After the settle phase: deliveries per gateway, the most live leases a redistributor counted during the run,
   * and (waiting for dead gateways' leases to lapse) the live leases each running redistributor counts now.
   */
  async findings(): Promise<Record<string, number>> {
    await this.stop();
    await this.sample();
    const out: Record<string, number> = {};
    this.cluster.gateways.forEach((g, i) => (out[`deliveries ${g.name}`] = this.banked[i]! + this.last[i]!.value));
    if (this.cluster.redistributors.length === 0) return out;
    const running = this.cluster.gateways.filter((g) => g.running).length;
    let leases: number[] = [];
    const started = Date.now();
    await waitUntil(
      async () => (leases = await this.leases()).every((n) => n === running),
      "every redistributor to count only the running gateways' leases",
      LEASE_EXPIRY_WAIT_MS,
    ).catch(() => undefined);
    return {
      ...out,
      "gateways running": running,
      "peak live leases": this.peakLeases,
      "live leases now (fewest)": Math.min(...leases),
      "live leases now (most)": Math.max(...leases),
      "lease wait ms": Date.now() - started,
    };
  }

  private async sample(): Promise<void> {
    await Promise.all(this.cluster.gateways.map((g, i) => g.running && this.sampleGateway(g.httpUrl, g.port, i)));
    this.peakLeases = Math.max(this.peakLeases, ...(await this.leases()));
  }

  private async sampleGateway(url: string, port: number, i: number): Promise<void> {
    const value = await scrapeCounter(url, "parley_deliveries_total").catch(() => undefined);
    if (value === undefined) return;
    const last = this.last[i]!;
    // A new port or a smaller count: a new incarnation, so the old one's last sample is banked.
    if (port !== last.port || value < last.value) this.banked[i]! += last.value;
    this.last[i] = { port, value };
  }

  /** `parley_redistributor_gateways` of every running redistributor (one that does not answer is left out). */
  private async leases(): Promise<number[]> {
    const running = this.cluster.redistributors.filter((r) => r.running);
    const values = await Promise.all(
      running.map((r) => scrapeCounter(r.httpUrl, "parley_redistributor_gateways").catch(() => undefined)),
    );
    return values.filter((v): v is number => v !== undefined);
  }
}
