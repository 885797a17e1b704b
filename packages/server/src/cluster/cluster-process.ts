/**
 * Test support: one `parley start --kafka … --role …` child process, killed
 * and restarted at will, always cleaned up (even when a test throws).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_PATH } from "../test-support/server-process.js";

/** What every node of a test cluster shares. */
export interface TestClusterConfig {
  readonly kafka: string;
  readonly postgres: string;
  readonly topicPrefix: string;
  readonly partitions: number;
  /** Extra flags for every node. */
  readonly args?: readonly string[];
  /** Extra environment variables for every node. */
  readonly env?: Readonly<Record<string, string>>;
}

const live = new Set<ClusterProcess>();
process.on("exit", () => {
  for (const p of live) p.cleanupSync();
});

/** One cluster node process. */
export class ClusterProcess {
  port = 0;
  private child: ChildProcess | undefined;
  private readonly log: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private readonly dataDir = mkdtempSync(join(tmpdir(), "parley-cluster-"));

  constructor(
    readonly role: string,
    private readonly cluster: TestClusterConfig,
    readonly name = role,
  ) {
    live.add(this);
  }

  /** Spawns the node and waits for its "cluster node ready" line. */
  async start(timeoutMs = 30_000): Promise<this> {
    const c = this.cluster;
    const args = [CLI_PATH, "start", "--dev", "--role", this.role, "--kafka", c.kafka, "--postgres", c.postgres];
    args.push("--topic-prefix", c.topicPrefix, "--topic-partitions", String(c.partitions));
    args.push("--host", "127.0.0.1", "--port", "0", "--data-dir", this.dataDir, ...(c.args ?? []));
    const env = { ...process.env, ...c.env };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.port = await this.waitReady(child, timeoutMs);
    return this;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The node's recent output, for failure messages. */
  output(lines = 40): string {
    return `---- ${this.name}\n${this.log.slice(-lines).join("\n")}`;
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill9(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM (graceful); resolves once the process is gone. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child?.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the process and removes its data dir. */
  async cleanup(): Promise<void> {
    if (this.running) await this.kill9();
    this.cleanupSync();
  }

  cleanupSync(): void {
    if (this.running) this.child?.kill("SIGKILL");
    rmSync(this.dataDir, { recursive: true, force: true });
    live.delete(this);
  }

  private waitReady(child: ChildProcess, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`${this.name}: ${why}\n${this.output()}`));
      };
      const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
      const onLine = (line: string) => {
        this.log.push(line);
        // PARLEY_CLUSTER_LOG_DIR keeps every node's whole output, for digging into a failed chaos run.
        const dir = process.env.PARLEY_CLUSTER_LOG_DIR;
        if (dir) appendFileSync(join(dir, `${this.cluster.topicPrefix}${this.name}.log`), `${line}\n`);
        if (!line.includes("cluster node ready")) return;
        clearTimeout(timer);
        resolve(readyPort(line));
      };
      lines(child.stdout, onLine);
      lines(child.stderr, onLine);
      child.once("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    });
  }
}

function readyPort(line: string): number {
  try {
    return (JSON.parse(line) as { port?: number }).port ?? 0;
  } catch {
    return 0;
  }
}

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let rest = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  });
}
