/**
 * Test support: the part every child-process node of the tests shares (a
 * Parley server, a cluster node). It owns a temp data dir, keeps the child's
 * output line by line for failure messages, waits for a line that says the
 * node is up, kills or stops it, and is always cleaned up, even when a test
 * or the runner dies.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const live = new Set<ChildNode>();
// Last line of defence: a crashed test runner must not leave processes or temp dirs behind.
function cleanupAll(): void {
  for (const node of live) node.cleanupSync();
}
process.on("exit", cleanupAll);
// Ctrl-C or a runner's kill: clean up, then die of the same signal as we would have.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanupAll();
    process.kill(process.pid, signal);
  });
}

/** How a stop ended: the exit code, and whether SIGKILL had to follow SIGTERM. */
export interface StopResult {
  readonly code: number | null;
  readonly forced: boolean;
}

/** One child process plus the data dir it owns. */
/** How `spawnNode` runs a child and recognises that it is ready. */
export interface SpawnNodeOptions<T> {
  env?: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Returns the ready value for a line that says so, undefined for any other line. */
  ready: (line: string) => T | undefined;
  /** Sees every line first (e.g. to keep a log file). */
  each?: (line: string) => void;
}

export abstract class ChildNode {
  readonly dataDir: string;
  port = 0;
  protected readonly log: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private onLine: ((line: string) => void) | undefined;

  protected constructor(dataDirPrefix: string) {
    this.dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
    live.add(this);
  }

  /** `http://127.0.0.1:<port>` */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The WebSocket endpoint. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  /** True while the child process runs. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the child wrote to stdout and stderr, for failure messages. */
  output(lastLines = 80): string {
    return this.log.slice(-lastLines).join("\n");
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited;
  }

  /** Kills the process (if any) and removes the data dir. Safe to call twice. */
  async cleanup(): Promise<void> {
    if (this.running) await this.kill9();
    this.cleanupSync();
  }

  /** Synchronous part of cleanup, usable from an `exit` handler. */
  cleanupSync(): void {
    if (this.running) this.child?.kill("SIGKILL");
    rmSync(this.dataDir, { recursive: true, force: true });
    live.delete(this);
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process is gone. */
  protected async terminate(timeoutMs: number): Promise<StopResult> {
    if (!this.running) return { code: await this.exited, forced: false };
    this.child?.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), timeoutMs);
    try {
      const code = await this.exited;
      return { code, forced: this.child?.signalCode === "SIGKILL" };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Spawns `node <args>` and resolves with the first `ready(line)` that is
   * not undefined; rejects (with the output) on a timeout or an early exit.
   * Every line is kept for `output()` and passed to `each` first.
   */
  protected spawnNode<T>(args: readonly string[], options: SpawnNodeOptions<T>): Promise<T> {
    const { env, timeoutMs, ready, each } = options;
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const collect = (line: string): void => {
      this.log.push(line);
      each?.(line);
      this.onLine?.(line);
    };
    splitLines(child.stdout, collect);
    splitLines(child.stderr, collect);
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.onLine = undefined;
      };
      const fail = (why: string): void => {
        done();
        reject(new Error(`${why}\n${this.output(40)}`));
      };
      const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
      this.onLine = (line) => {
        const value = ready(line);
        if (value === undefined) return;
        done();
        resolve(value);
      };
      child.once("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    });
  }
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let rest = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}
