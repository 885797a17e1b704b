/**
 * A real Parley server in a child process, for black-box tests: spawned from
 * the compiled CLI with a temp data dir and `--port 0`, killed, restarted on
 * the same data dir, and always cleaned up (even when a test throws).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled CLI, resolved relative to this compiled file (dist/test-support → dist/cli). */
export const CLI_PATH = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/** Options for {@link ServerProcess.start}. */
export interface ServerProcessOptions {
  /** Extra CLI flags, e.g. `["--heartbeat-ms", "200"]`. */
  readonly args?: readonly string[];
  /** Start with `--dev` (default true). */
  readonly dev?: boolean;
  /** Extra environment variables for the child (on top of this process's). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for "listening" and /readyz (default 20 s). */
  readonly startTimeoutMs?: number;
}

const live = new Set<ServerProcess>();
// Last line of defence: a crashed test runner must not leave servers or temp dirs behind.
function cleanupAll(): void {
  for (const server of live) server.cleanupSync();
}
process.on("exit", cleanupAll);
// Ctrl-C or a runner's kill: clean up, then die of the same signal as we would have.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanupAll();
    process.kill(process.pid, signal);
  });
}

/** One server process plus the data dir it owns. */
export class ServerProcess {
  readonly dataDir: string;
  port = 0;
  private child: ChildProcess | undefined;
  private readonly log: string[] = [];
  private exited: Promise<number | null> = Promise.resolve(null);

  private constructor(private readonly options: ServerProcessOptions) {
    this.dataDir = mkdtempSync(join(tmpdir(), "parley-it-"));
    live.add(this);
  }

  /** Spawns a server on a fresh temp data dir and waits until it is ready. */
  static async start(options: ServerProcessOptions = {}): Promise<ServerProcess> {
    const server = new ServerProcess(options);
    try {
      await server.launch(0);
    } catch (err) {
      await server.cleanup();
      throw err;
    }
    return server;
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

  /** Everything the server wrote to stdout and stderr, for failure diagnostics. */
  output(lastLines = 80): string {
    return this.log.slice(-lastLines).join("\n");
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM (graceful shutdown); resolves with the exit code, or rejects when it takes too long. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child?.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), timeoutMs);
    try {
      const code = await this.exited;
      if (this.child?.signalCode === "SIGKILL") throw new Error(`server ignored SIGTERM for ${timeoutMs} ms`);
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts the server again on the same data dir, and on the same port when it is still free. */
  async restart(): Promise<void> {
    if (this.running) await this.kill9();
    try {
      await this.launch(this.port);
    } catch (err) {
      if (!/EADDRINUSE/.test(this.output(20))) throw err;
      await this.launch(0);
    }
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

  private async launch(port: number): Promise<void> {
    const args = [CLI_PATH, "start", "--host", "127.0.0.1", "--port", String(port), "--data-dir", this.dataDir];
    if (this.options.dev !== false) args.push("--dev");
    args.push(...(this.options.args ?? []));
    this.log.push(`---- spawn ${args.slice(1).join(" ")}`);
    const env = { ...process.env, ...this.options.env };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    this.port = await this.waitListening(child, timeoutMs);
    await this.waitReady(timeoutMs);
  }

  /** Collects output line by line and resolves with the port of the "listening" log line. */
  private waitListening(child: ChildProcess, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no "listening" line within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(new Error(`${err.message}\n${this.output(40)}`));
      };
      const onLine = (line: string): void => {
        this.log.push(line);
        const port = listeningPort(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(port);
        }
      };
      splitLines(child.stdout, onLine);
      splitLines(child.stderr, onLine);
      child.once("exit", (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
    });
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`server died before ready\n${this.output(40)}`);
      const ok = await fetch(`${this.httpUrl}/readyz`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`/readyz not ready within ${timeoutMs} ms\n${this.output(40)}`);
  }
}

function listeningPort(line: string): number | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    const record = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return record.msg === "listening" && typeof record.port === "number" ? record.port : undefined;
  } catch {
    return undefined;
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
