// Runs the real Parley server (packages/server/dist) as a child process, for end-to-end client tests.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../../server/dist/cli/main.js", import.meta.url));

/** A server process over a data dir that outlives restarts. */
export class ServerProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), "parley-client-e2e-"));
  #child: ChildProcess | undefined;
  port = 0;

  /** `args`: extra `parley start` flags. */
  constructor(private readonly args: readonly string[] = []) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/v1/ws`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, on the same port once known) and resolves when it logs "listening". */
  async start(): Promise<void> {
    const args = [MAIN, "start", "--port", String(this.port), "--data-dir", this.dataDir, "--dev", ...this.args];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      let buffered = "";
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const line of buffered.split("\n")) {
          const port = listeningPort(line);
          if (port !== undefined) {
            child.stdout?.off("data", onData);
            resolve(port);
          }
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening: ${buffered}`)));
    });
  }

  /** kill -9: no drain, no goodbye. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function listeningPort(line: string): number | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === "listening" ? entry.port : undefined;
  } catch {
    return undefined;
  }
}
