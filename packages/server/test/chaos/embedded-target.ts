/**
 * The embedded target: one real `parley start` process (JWT auth, fast
 * heartbeats) behind a {@link TcpProxy}. Faults: kill -9 and restart on the
 * same data dir, and the proxy's drop, stall and mid-frame cut.
 */
import { randomBytes } from "node:crypto";
import { ServerProcess } from "../support/server-process.js";
import type { ChaosTarget, Fault } from "./chaos-target.js";
import { TcpProxy } from "./tcp-proxy.js";

/** Options for {@link startEmbeddedTarget}. */
export interface EmbeddedTargetOptions {
  /** Pause between two kill -9s (default 2–5 s). */
  readonly killEveryMs?: readonly [number, number];
  /** Pause between two proxy faults of each kind (default 300–1200 ms). */
  readonly netEveryMs?: readonly [number, number];
  /** Extra server flags. */
  readonly args?: readonly string[];
}

/**
 * Server flags: fast heartbeats so dead links are noticed within the run; the
 * per-connection publish limit stays at its default (the SDK publisher runs
 * above it), the per-user one is out of the way of the raw publishers, who
 * all publish as one user.
 */
const SERVER_ARGS = [
  ["--heartbeat-ms", "500"],
  ["--heartbeat-timeout-ms", "3000"],
  ["--publish-rate-per-user", "4000"],
  ["--max-connections-per-user", "100"],
].flat();

/** Starts the server and the proxy. */
export async function startEmbeddedTarget(options: EmbeddedTargetOptions = {}): Promise<ChaosTarget> {
  const jwtSecret = randomBytes(24).toString("hex");
  const args = [...SERVER_ARGS, "--jwt-secret", jwtSecret, ...(options.args ?? [])];
  const server = await ServerProcess.start({ dev: false, args });
  const proxy = new TcpProxy(() => server.port);
  try {
    await proxy.listen();
  } catch (err) {
    await server.cleanup();
    throw err;
  }
  const net = options.netEveryMs ?? [300, 1200];
  const faults: Fault[] = [
    { name: "kill -9", everyMs: options.killEveryMs ?? [2000, 5000], inject: () => killAndRestart(server) },
    { name: "net drop", everyMs: net, inject: async () => proxy.drop() },
    { name: "net stall", everyMs: net, inject: async () => proxy.stall(300 + Math.random() * 4000) },
    { name: "net cut mid-frame", everyMs: net, inject: async () => proxy.cutMidFrame() },
  ];
  return {
    name: "embedded",
    jwtSecret,
    clientUrl: () => `ws://127.0.0.1:${proxy.port}/v1/ws`,
    directUrl: () => server.wsUrl,
    faults,
    heal: async () => {
      if (!server.running) await server.restart();
    },
    stop: async () => {
      await proxy.close();
      await server.cleanup();
    },
    diagnostics: () => server.output(40),
  };
}

async function killAndRestart(server: ServerProcess): Promise<boolean> {
  await server.kill9();
  await server.restart();
  return true;
}
