/** The Socket.IO peer server as a child process: start, kill -9, restart on the same port. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./socketio-server.js", import.meta.url));

/** One Socket.IO server process. */
export class SocketIoProcess {
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  /** True while the child runs. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts (or restarts) on `port` (0: any free port). */
  async start(port = this.port): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket.io server did not start")), 10_000);
      child.once("exit", (code) => reject(new Error(`socket.io server exited (${code})`)));
      child.stdout?.setEncoding("utf8");
      child.stdout?.on("data", (chunk: string) => {
        const match = /"port":(\d+)/.exec(chunk);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
  }

  /** SIGKILL, then start again on the same port (or any port if it is still taken). */
  async killAndRestart(): Promise<void> {
    await this.kill9();
    await this.start(this.port).catch(() => this.start(0));
  }

  /** SIGKILL; resolves once gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child?.kill("SIGKILL");
    await this.exited;
  }
}
