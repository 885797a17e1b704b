import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SystemName } from "../wire/wire.js";
import type { ClusterServices, ClusterSpace } from "./cluster-services.js";
import { fetchText, freePort, spawnServer, stopProcess, waitForPort, type RunningSystem } from "./system.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The current build's `parley` CLI. */
export const PARLEY_CLI = join(ROOT, "packages/server/dist/cli/main.js");
/** Node flags of every Node server: a full GC on SIGUSR2 (gc-on-signal.ts). */
export const GC_ARGS = ["--expose-gc", `--import=${new URL("./gc-on-signal.js", import.meta.url).href}`];

/** Options for starting a system; `nodeArgs` go to Node servers (e.g. --cpu-prof). */
export interface StartOptions {
  readonly nodeArgs?: readonly string[];
  readonly parleyArgs?: readonly string[];
  /** CLI of a baseline Parley build, run as system `parley-base`. */
  readonly baselineCli?: string;
  /** Broker and PostgreSQL for the Kafka-mode systems (the kafka scenario starts them). */
  readonly cluster?: ClusterServices;
  /**
   * Topics and database every Kafka-mode start shares (the caller drops it); without it each
   * start gets a space of its own, dropped when it stops.
   */
  readonly space?: ClusterSpace;
}

/** Sends SIGUSR2 (a full GC, see gc-on-signal.ts) and gives it time to finish. */
export async function collectGarbageOf(pid: number): Promise<void> {
  process.kill(pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 500));
}

/** How to start one process: its role (which names its CPU profile under `--cpu-prof`), and whether to wait for its port. */
export interface ProcessHow {
  readonly role?: string;
  /** False for a process that is not to be waited for. Default true. */
  readonly listens?: boolean;
  /** The build's `cli/main.js`. Default: the current build's (PARLEY_CLI). */
  readonly cli?: string;
}

/** One `parley start` process (the current build unless `how.cli` says) with extra flags, as `name` (role `all` unless `how` says). */
export function startParleyProcess(
  opts: StartOptions,
  name: SystemName,
  extraArgs: string[],
  how: ProcessHow = {},
): Promise<RunningSystem> {
  const parleyArgs = [...(opts.parleyArgs ?? []), ...extraArgs];
  return startParley({ ...opts, parleyArgs }, how.cli ?? PARLEY_CLI, name, { role: "all", ...how });
}

/** The real `parley start` process (parleyStartArgs). */
export async function startParley(
  opts: StartOptions,
  cli: string,
  name: SystemName,
  { role = "server", listens = true }: ProcessHow = {},
): Promise<RunningSystem> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const nodeArgs = withProfileName(opts.nodeArgs ?? [], `${name}.${role}`);
  const child = spawnServer(process.execPath, parleyStartArgs({ ...opts, nodeArgs }, cli, port, dataDir), name);
  // A server that never listens must not outlive the failed start.
  if (listens) await waitForPort(port).catch((err: unknown) => stopProcess(child).then(() => Promise.reject(err)));
  return {
    name,
    pid: child.pid,
    port,
    processes: [{ role, pid: child.pid }],
    ports: [port],
    async heapUsed() {
      const text = await fetchText(`http://127.0.0.1:${port}/metrics`);
      const m = text && /^nodejs_heap_size_used_bytes (\d+)/m.exec(text);
      return m ? Number(m[1]) : undefined;
    },
    collectGarbage: () => collectGarbageOf(child.pid),
    async stop() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let profiles = 0;

/**
 * Under `--cpu-prof`, a profile name that tells which system and role wrote it (Node's default names
 * only the pid), unique within the run. Node writes the profile when the process exits: the bench
 * stops every process with SIGTERM, which `parley start` answers by exiting within its shutdown grace.
 */
function withProfileName(nodeArgs: readonly string[], what: string): readonly string[] {
  if (!nodeArgs.includes("--cpu-prof") || nodeArgs.some((a) => a.startsWith("--cpu-prof-name"))) return nodeArgs;
  const stamp = new Date().toISOString().slice(11, 19).replaceAll(":", "");
  return [...nodeArgs, `--cpu-prof-name=${what}.${stamp}.${++profiles}.cpuprofile`];
}

/** Node arguments of `parley start` with the bench's settings (dev mode, limits raised so the generator is never rate limited). */
export function parleyStartArgs(opts: StartOptions, cli: string, port: number, dataDir: string): string[] {
  return [
    ...GC_ARGS,
    ...(opts.nodeArgs ?? []),
    cli,
    "start",
    "--dev",
    ...["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, "--log-level", "warn"],
    ...["--publish-rate-per-connection", "1000000", "--publish-rate-per-user", "1000000"],
    ...["--max-connections-per-user", "1000000", "--shutdown-grace-ms", "2000"],
    // The generator's connections come from 8 loopback addresses; a baseline build may predate the option.
    ...(knowsAddressCap(cli) ? ["--max-connections-per-address", "0"] : []),
    ...(opts.parleyArgs ?? []),
  ];
}

/** Whether the build of `cli` has `--max-connections-per-address` (its option table, beside the CLI, names it). */
function knowsAddressCap(cli: string): boolean {
  if (cli === PARLEY_CLI) return true;
  const options = join(dirname(cli), "../config/options.js");
  return existsSync(options) && readFileSync(options, "utf8").includes("maxConnectionsPerAddress");
}
