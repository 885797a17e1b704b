/**
 * One chaos run: start the workload against a target, inject every fault of
 * the target (plus client-side drops) at random intervals for the duration,
 * heal, let every publish be acked and every subscriber catch up, read the
 * final histories directly, and hand everything to the history checker.
 */
import { setMaxListeners } from "node:events";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { RoomEvent } from "@parley/protocol";
import { RawClient } from "../support/raw-client.js";
import { readAllHistory } from "../support/fixtures.js";
import type { ChaosTarget, Fault } from "./chaos-target.js";
import { tallyDeliveries, type DeliveryTally } from "./delivery-tally.js";
import { checkHistory, type CheckResult } from "./history-checker.js";
import type { ChaosHistory, RoomHistory } from "./history.js";
import { ChaosRecorder, type AckedTally } from "./recorder.js";
import { mintChaosToken, Workload } from "./workload.js";

/** Options for {@link runChaos}. */
export interface ChaosOptions {
  readonly durationMs: number;
  /** Messages per second per publisher (default 20). */
  readonly ratePerPublisher?: number;
  readonly publishers?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** Longest wait for the last acks and catch-ups after the fault phase (default 60 s). */
  readonly settleTimeoutMs?: number;
  /**
   * Keeps the fault phase going past `durationMs` until the run has seen this much (a loaded machine
   * publishes less per second, and a short run must still check enough), for at most `maxMs` in all.
   */
  readonly until?: Enough;
}

/** How much a run must have seen before its fault phase may end. */
export interface Enough {
  readonly acked: number;
  /** Acked publishes of the SDK (FIFO) publishers. */
  readonly ordered?: number;
  /** Acked publishes of each of these kinds. */
  readonly perKind?: Readonly<Record<string, number>>;
  /** Injections of every fault. */
  readonly perFault?: number;
  readonly maxMs: number;
}

/** What a run found. */
export interface ChaosReport {
  readonly target: string;
  readonly durationMs: number;
  /** Injections per fault name. */
  readonly faults: Record<string, number>;
  readonly faultTotal: number;
  readonly check: CheckResult;
  /** Publishes still unacked when the settle phase gave up (they are not violations, but should be 0). */
  readonly unacked: number;
  /** Subscriptions that had not caught up with the head when the settle phase gave up. */
  readonly behind: number;
  /** Sessions opened by workload clients (reconnects included). */
  readonly sessions: number;
  /** The copies of history that were checked: the gateway's, and the durable store's when the target has one. */
  readonly historyCopies: readonly string[];
  /** Lost and duplicated acked messages by cmid, the figures compared with peers. */
  readonly tally: DeliveryTally;
  /** The SDK clients per transport: how many, their acked publishes and the events delivered to them. */
  readonly sdk: Record<string, SdkTally>;
  /** The target's own figures (ChaosTarget.findings), empty when it has none. */
  readonly findings: Record<string, number>;
}

/** What the SDK clients of one transport did. */
export interface SdkTally {
  readonly clients: number;
  readonly acked: number;
  readonly received: number;
  readonly sessions: number;
}

/** Runs the scenario; the caller owns (and stops) the target. */
export async function runChaos(target: ChaosTarget, options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const recorder = new ChaosRecorder();
  const sseUrl = target.sseUrl?.();
  const workload = new Workload({
    ...{ url: (i: number) => target.clientUrl(i), jwtSecret: target.jwtSecret, recorder, ...options },
    ...(sseUrl && { sseUrl }),
  });
  const clientDrop: Fault = {
    name: "client drop",
    everyMs: [500, 1500],
    inject: async () => workload.dropRandomClient(),
  };
  const faults = [...target.faults, clientDrop];
  const counts: Record<string, number> = Object.fromEntries(faults.map((f) => [f.name, 0]));
  const stop = new AbortController();
  // One abort listener per fault loop: the cluster target with redistributors has more than the default 10.
  setMaxListeners(faults.length + 1, stop.signal);
  try {
    await workload.start();
    const loops = faults.map((f) => faultLoop(f, stop.signal, counts, log));
    const progress = setInterval(() => log(`acked ${recorder.ackedCount}, faults ${JSON.stringify(counts)}`), 5_000);
    await phases(workload, options.durationMs);
    if (options.until && !(await untilEnough(recorder, counts, options.until, options.durationMs))) {
      log(`the run did not see enough within ${options.until.maxMs} ms; the checks will say what is short`);
    }
    stop.abort();
    clearInterval(progress);
    await Promise.all(loops);
    log("fault phase over; healing and settling");
    await target.heal();
    workload.stopPublishing();
    const settled = await settle(target, workload, options.settleTimeoutMs ?? 60_000);
    const rooms = await readHistories(target, workload.allRooms);
    const history = recorder.history(rooms);
    // PARLEY_CHAOS_DUMP=<file>: the whole recorded history as JSON, to dig into a failed run.
    if (process.env.PARLEY_CHAOS_DUMP) writeFileSync(process.env.PARLEY_CHAOS_DUMP, JSON.stringify(history));
    const check = await checkCopies(target, history);
    const findings = (await target.findings?.()) ?? {};
    const tally = tallyDeliveries(tallyInput(history));
    const faultTotal = Object.values(counts).reduce((a, b) => a + b, 0);
    const sessions = workload.clients.reduce((n, c) => n + c.sessions, 0);
    return {
      target: target.name,
      durationMs: options.durationMs,
      faults: counts,
      faultTotal,
      check,
      ...settled,
      historyCopies: target.storedHistories ? ["gateway", "store"] : ["gateway"],
      sessions,
      tally,
      sdk: sdkTallies(workload),
      findings,
    };
  } finally {
    stop.abort();
    workload.stop();
  }
}

/** Per transport, the SDK clients' counts. */
function sdkTallies(workload: Workload): Record<string, SdkTally> {
  const out: Record<string, SdkTally> = {};
  for (const p of workload.sdkPublishers) {
    const t = out[p.transport] ?? { clients: 0, acked: 0, received: 0, sessions: 0 };
    out[p.transport] = {
      ...{ clients: t.clients + 1, acked: t.acked + p.acked },
      ...{ received: t.received + p.received, sessions: t.sessions + p.sessions },
    };
  }
  return out;
}

/**
 * Checks the history read through a gateway and, when the target has a
 * durable store of its own, that copy too: violations of both are reported,
 * the store's marked as such; the counts are the gateway copy's.
 */
async function checkCopies(target: ChaosTarget, history: ChaosHistory): Promise<CheckResult> {
  const check = checkHistory(history);
  if (!target.storedHistories) return check;
  const stored = checkHistory({ ...history, rooms: await target.storedHistories(history.rooms) });
  const marked = stored.violations.map((v) => ({ ...v, detail: `[store] ${v.detail}` }));
  const violationCount = check.violationCount + stored.violationCount;
  return { ...check, ok: violationCount === 0, violationCount, violations: [...check.violations, ...marked] };
}

function tallyInput(history: ChaosHistory): Parameters<typeof tallyDeliveries>[0] {
  const acked = history.publishes.filter((p) => p.acks.length > 0);
  const stayed = history.subscriptions.filter((s) => s.stayed && s.mayRead);
  return { acked, subscribers: stayed.map((s) => ({ room: s.room, cmids: s.events.map((e) => e.cmid) })) };
}

/** The fault phase: the leaver leaves at 1/3, the late joiner arrives at 1/2. */
async function phases(workload: Workload, durationMs: number): Promise<void> {
  await sleep(durationMs / 3);
  workload.leaveOne();
  await sleep(durationMs / 2 - durationMs / 3);
  workload.lateJoiner();
  await sleep(durationMs / 2);
}

/**
 * Waits (faults still running) until the run has seen `enough`, or until `enough.maxMs` have passed since the
 * start; false when the time ran out.
 */
async function untilEnough(
  recorder: ChaosRecorder,
  faults: Record<string, number>,
  enough: Enough,
  elapsedMs: number,
): Promise<boolean> {
  const deadline = Date.now() + enough.maxMs - elapsedMs;
  while (!seenEnough(recorder.ackedTally(), faults, enough) && Date.now() < deadline) await sleep(250);
  return Date.now() < deadline;
}

function seenEnough(tally: AckedTally, faults: Record<string, number>, enough: Enough): boolean {
  if (tally.total < enough.acked || tally.fifo < (enough.ordered ?? 0)) return false;
  for (const [kind, n] of Object.entries(enough.perKind ?? {})) if ((tally.byKind[kind] ?? 0) < n) return false;
  return Object.values(faults).every((n) => n >= (enough.perFault ?? 0));
}

/** Injects `fault` at random intervals until `signal` aborts, counting successful injections. */
export async function faultLoop(
  fault: Fault,
  signal: AbortSignal,
  counts: Record<string, number>,
  log: (line: string) => void,
): Promise<void> {
  const [min, max] = fault.everyMs;
  while (!signal.aborted) {
    const ok = await sleep(min + Math.random() * (max - min), true, { signal }).catch(() => false);
    if (!ok || signal.aborted) return;
    try {
      if (await fault.inject()) counts[fault.name] = (counts[fault.name] ?? 0) + 1;
    } catch (err) {
      log(`fault ${fault.name} failed: ${(err as Error).message.split("\n")[0]}`);
    }
  }
}

/** Waits until nothing is unacked and every subscriber that stayed has reached each room's head. */
async function settle(
  target: ChaosTarget,
  workload: Workload,
  timeoutMs: number,
): Promise<{ unacked: number; behind: number }> {
  const deadline = Date.now() + timeoutMs;
  while (workload.pendingCount() > 0 && Date.now() < deadline) await sleep(100);
  const heads = await readHeads(target, workload.allRooms);
  const behind = (): number =>
    workload
      .subscribers()
      .reduce((n, c) => n + c.activeRooms().filter((room) => c.lastSeq(room) < (heads.get(room) ?? 0)).length, 0);
  while (behind() > 0 && Date.now() < deadline) await sleep(100);
  return { unacked: workload.pendingCount(), behind: behind() };
}

async function withDirectClient<T>(target: ChaosTarget, body: (c: RawClient) => Promise<T>): Promise<T> {
  const token = await mintChaosToken(target.jwtSecret, "auditor", { "*": ["history"] });
  const client = await RawClient.connect(target.directUrl(), { token });
  try {
    return await body(client);
  } finally {
    client.terminate();
  }
}

async function readHeads(target: ChaosTarget, rooms: readonly string[]): Promise<Map<string, number>> {
  return withDirectClient(target, async (c) => {
    const heads = new Map<string, number>();
    for (const room of rooms) {
      const page = await c.expect({ t: "history", room, limit: 1 }, "history");
      heads.set(room, page.events.at(-1)?.seq ?? 0);
    }
    return heads;
  });
}

async function readHistories(target: ChaosTarget, rooms: readonly string[]): Promise<RoomHistory[]> {
  return withDirectClient(target, async (c) => {
    const histories: RoomHistory[] = [];
    for (const room of rooms) {
      const events: RoomEvent[] = await readAllHistory(c, room);
      const { epoch } = await c.expect({ t: "history", room, limit: 1 }, "history");
      histories.push({
        room,
        epoch,
        events: events.map(({ seq, cmid, id, kind, body }) => ({ seq, cmid, id, kind, body })),
      });
    }
    return histories;
  });
}
