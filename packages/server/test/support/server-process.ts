/**
 * A real Parley server in a child process, for black-box tests: spawned from
 * the compiled CLI with a temp data dir and `--port 0`, killed, restarted on
 * the same data dir, and always cleaned up (even when a test throws).
 */
import { fileURLToPath } from "node:url";
import { ChildNode } from "./child-node.js";

/** The compiled CLI, resolved relative to this compiled file (dist/test-support → dist/cli). */
export const CLI_PATH = fileURLToPath(import.meta.resolve("#server/cli/main.js"));

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

/** One server process plus the data dir it owns. */
export class ServerProcess extends ChildNode {
  private constructor(private readonly options: ServerProcessOptions) {
    super("parley-it-");
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

  /** SIGTERM (graceful shutdown); resolves with the exit code, or rejects when it takes too long. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    const { code, forced } = await this.terminate(timeoutMs);
    if (forced) throw new Error(`server ignored SIGTERM for ${timeoutMs} ms`);
    return code;
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

  private async launch(port: number): Promise<void> {
    const args = [CLI_PATH, "start", "--host", "127.0.0.1", "--port", String(port), "--data-dir", this.dataDir];
    if (this.options.dev !== false) args.push("--dev");
    args.push(...(this.options.args ?? []));
    this.log.push(`---- spawn ${args.slice(1).join(" ")}`);
    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    this.port = await this.spawnNode(args, { env: this.options.env, timeoutMs, ready: listeningPort });
    await this.waitReady(timeoutMs);
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
