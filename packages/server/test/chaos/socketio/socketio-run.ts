/**
 * `npm run chaos -- socketio --duration 2m`: the same kill -9, network and
 * client-drop faults against Socket.IO 4 and against Parley (embedded), then
 * one table of acked messages lost and duplicated (docs/reliability.md).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Fault } from "../chaos-target.js";
import { tallyDeliveries, type DeliveryTally } from "../delivery-tally.js";
import { startEmbeddedTarget } from "../embedded-target.js";
import { formatReport, passed } from "../report.js";
import { faultLoop, runChaos } from "../scenario.js";
import { TcpProxy } from "../tcp-proxy.js";
import { SocketIoProcess } from "./socketio-process.js";
import { SocketIoWorkload } from "./socketio-workload.js";

/** One system's row. */
interface Row {
  readonly system: string;
  readonly tally: DeliveryTally;
  readonly faults: number;
}

/** Runs Socket.IO, then Parley, for `durationMs` each; prints the table; exit code 1 if Parley had violations. */
export async function runSocketIoComparison(durationMs: number, log: (line: string) => void): Promise<number> {
  log("Socket.IO 4 under faults");
  const sio = await runSocketIo(durationMs, log);
  log("Parley (embedded) under the same faults");
  const target = await startEmbeddedTarget();
  try {
    const parley = await runChaos(target, { durationMs, log });
    console.log(formatReport(parley));
    console.log(formatTable([{ system: "Parley (embedded)", tally: parley.tally, faults: parley.faultTotal }, sio]));
    return passed(parley) ? 0 : 1;
  } finally {
    await target.stop();
  }
}

async function runSocketIo(durationMs: number, log: (line: string) => void): Promise<Row> {
  const server = new SocketIoProcess();
  await server.start(0);
  const proxy = new TcpProxy(() => server.port);
  await proxy.listen();
  const rooms = ["sio-0", "sio-1", "sio-2", "sio-3"];
  const url = (): string => `http://127.0.0.1:${proxy.port}`;
  const workload = new SocketIoWorkload({ url, rooms, publishers: 5, subscribers: 3, ratePerPublisher: 20 });
  const net: [number, number] = [300, 1200];
  const faults: Fault[] = [
    { name: "kill -9", everyMs: [2000, 5000], inject: async () => (await server.killAndRestart(), true) },
    { name: "net drop", everyMs: net, inject: async () => proxy.drop() },
    { name: "net stall", everyMs: net, inject: async () => proxy.stall(300 + Math.random() * 4000) },
    { name: "net cut mid-frame", everyMs: net, inject: async () => proxy.cutMidFrame() },
    { name: "client drop", everyMs: [500, 1500], inject: async () => workload.dropRandom() },
  ];
  const counts: Record<string, number> = {};
  const stop = new AbortController();
  try {
    workload.start();
    const loops = faults.map((f) => faultLoop(f, stop.signal, counts, log));
    await sleep(durationMs);
    stop.abort();
    await Promise.all(loops);
    if (!server.running) await server.start();
    workload.stopPublishing();
    for (let waited = 0; workload.pendingCount() > 0 && waited < 30_000; waited += 100) await sleep(100);
    await sleep(2_000); // last deliveries
    const tally = tallyDeliveries(workload.tallyInput());
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    log(`socket.io: ${JSON.stringify(tally)}, unacked ${workload.pendingCount()}, faults ${JSON.stringify(counts)}`);
    return { system: "Socket.IO 4 (recovery, retries+ackTimeout, dedupe)", tally, faults: total };
  } finally {
    stop.abort();
    workload.stop();
    await proxy.close();
    await server.kill9();
  }
}

function formatTable(rows: readonly Row[]): string {
  const lines = ["| system | acked | acked lost | duplicate deliveries | faults |", "|---|---:|---:|---:|---:|"];
  for (const r of rows) {
    lines.push(`| ${r.system} | ${r.tally.acked} | ${r.tally.lost} | ${r.tally.duplicated} | ${r.faults} |`);
  }
  return lines.join("\n");
}
