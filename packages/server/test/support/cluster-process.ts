/**
 * Test support: one `parley start --kafka … --role …` child process, killed
 * and restarted at will, always cleaned up (even when a test throws).
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { ChildNode } from "./child-node.js";
import { CLI_PATH } from "./server-process.js";

/** What every node of a test cluster shares. */
export interface TestClusterConfig {
  readonly kafka: string;
  /** Absent only for nodes that need none (a sequencer without the PostgreSQL dedupe fallback). */
  readonly postgres?: string;
  readonly topicPrefix: string;
  readonly partitions: number;
  /** Extra flags for every node. */
  readonly args?: readonly string[];
  /** Extra environment variables for every node. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One cluster node process. */
export class ClusterProcess extends ChildNode {
  constructor(
    readonly role: string,
    private readonly cluster: TestClusterConfig,
    readonly name = role,
  ) {
    super("parley-cluster-");
  }

  /**
   * Spawns the node and waits for its "cluster node ready" line, or with
   * `until: "listening"` only for its HTTP port (a node without a gateway
   * listens before its roles start: its /readyz says 503 meanwhile).
   */
  async start(timeoutMs = 30_000, until: "ready" | "listening" = "ready"): Promise<this> {
    const c = this.cluster;
    const args = [CLI_PATH, "start", "--dev", "--role", this.role, "--kafka", c.kafka];
    if (c.postgres) args.push("--postgres", c.postgres);
    args.push("--topic-prefix", c.topicPrefix, "--topic-partitions", String(c.partitions));
    args.push("--host", "127.0.0.1", "--port", "0", "--data-dir", this.dataDir, ...(c.args ?? []));
    // PARLEY_CLUSTER_LOG_DIR keeps every node's whole output, for digging into a failed chaos run.
    const dir = process.env.PARLEY_CLUSTER_LOG_DIR;
    const file = dir && join(dir, `${c.topicPrefix}${this.name}.log`);
    const keep = file ? (line: string) => appendFileSync(file, `${line}\n`) : undefined;
    try {
      this.port = await this.spawnNode(args, {
        env: c.env,
        timeoutMs,
        ready: until === "ready" ? readyPort : listeningPort,
        each: keep,
      });
    } catch (err) {
      throw new Error(`${this.name}: ${(err as Error).message}`);
    }
    return this;
  }

  /** The node's recent output under its name, for failure messages. */
  override output(lines = 40): string {
    return `---- ${this.name}\n${super.output(lines)}`;
  }

  /** SIGTERM (graceful), SIGKILL after 20 s; resolves once the process is gone. */
  async stop(): Promise<void> {
    await this.terminate(20_000);
  }
}

/** The port of the "cluster node ready" line; undefined for any other line. */
function readyPort(line: string): number | undefined {
  return line.includes("cluster node ready") ? portOf(line) : undefined;
}

/** The port of the "listening" line; undefined for any other line. */
function listeningPort(line: string): number | undefined {
  return line.includes('"msg":"listening"') ? portOf(line) : undefined;
}

function portOf(line: string): number {
  try {
    return (JSON.parse(line) as { port?: number }).port ?? 0;
  } catch {
    return 0;
  }
}
