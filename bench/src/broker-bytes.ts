/**
 * Bytes a Kafka broker sent to chosen processes, from the kernel's per-socket TCP counters: `ss -tinp` lists
 * the processes' established connections to the broker's port, and each socket's `bytes_received` is what
 * the broker sent on it. A window's figure is the sum of per-socket deltas, so it counts only this cluster's
 * processes even on a broker other work shares. A connection closed within the window loses its bytes.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Per socket (by its local address and port): bytes received from the broker so far. */
export type SocketBytes = Map<string, number>;

/** The counters of every established connection from `pids` to `brokerPort`. */
export async function brokerSocketBytes(brokerPort: number, pids: readonly number[]): Promise<SocketBytes> {
  const { stdout } = await run("ss", ["-tinpH", "state", "established", "dport", "=", `:${brokerPort}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseSs(stdout, new Set(pids));
}

/** Reads `ss -tinpH` output: a socket line (local address, owner pids) then its indented info line. */
export function parseSs(text: string, pids: ReadonlySet<number>): SocketBytes {
  const out: SocketBytes = new Map();
  let current: string | undefined;
  for (const line of text.split("\n")) {
    if (line.length > 0 && !/^\s/.test(line)) {
      const owners = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      // Columns: Recv-Q Send-Q Local Peer Process (the state column is left out under a state filter).
      current = owners.some((p) => pids.has(p)) ? line.trim().split(/\s+/)[2] : undefined;
    } else if (current !== undefined) {
      const m = /bytes_received:(\d+)/.exec(line);
      out.set(current, (out.get(current) ?? 0) + (m ? Number(m[1]) : 0));
    }
  }
  return out;
}

/** Bytes received between two readings, summed over the sockets of the later one (new sockets count from 0). */
export function bytesBetween(before: SocketBytes, after: SocketBytes): number {
  let total = 0;
  for (const [socket, bytes] of after) total += Math.max(0, bytes - (before.get(socket) ?? 0));
  return total;
}

/** The port of the first broker in a `host:port,…` list. */
export function brokerPort(brokers: string): number {
  const port = Number(brokers.split(",")[0]?.split(":").at(-1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no broker port in ${brokers}`);
  return port;
}
