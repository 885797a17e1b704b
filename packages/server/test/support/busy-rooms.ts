/**
 * The parts of the routing cluster tests (redistributed-routing, auto-routing) that keep rooms busy and
 * record what the chaos history checker judges: sequential publishers, subscriptions retried while a
 * join waits, and the final histories.
 */
import type { ServerFrame } from "@parley/protocol";
import type { PublishRecord, RoomHistory, SubscriptionRecord } from "../chaos/history.js";
import { publishUntilAcked, type TestCluster } from "./cluster-fixture.js";
import type { ClusterProcess } from "./cluster-process.js";
import { readAllHistory, sleep, uniqueCmid } from "./fixtures.js";
import type { RawClient } from "./raw-client.js";
import { waitUntil } from "./wait.js";

/** What the publishers record: every publish, and per room the highest acked seq. */
export interface PublishLog {
  readonly publishes: PublishRecord[];
  readonly head: Map<string, number>;
}

/** One sequential publisher: `pub<n>` publishes to `room` through `gateway` until `stopped()`. */
export interface Publisher {
  readonly cluster: TestCluster;
  readonly gateway: ClusterProcess;
  readonly room: string;
  readonly n: number;
  readonly log: PublishLog;
  readonly stopped: () => boolean;
  /** Told of every ack. */
  readonly onAck?: () => void;
}

/** Publishes one message at a time (each waits for its ack, retrying with the same cmid), until stopped. */
export async function publishLoop(p: Publisher): Promise<void> {
  const { cluster, gateway, room, n, log } = p;
  let client = await cluster.connect(gateway, `pub${n}`);
  const connect = async () => (client = client.closeInfo ? await cluster.connect(gateway, `pub${n}`) : client);
  while (!p.stopped()) {
    const cmid = uniqueCmid();
    const record: PublishRecord = { client: `pub${n}`, room, cmid, acks: [], fifo: true };
    log.publishes.push(record);
    const ack = await publishUntilAcked(connect, { room, body: { n }, cmid }, 60_000);
    record.acks.push(ack.seq);
    p.onAck?.();
    log.head.set(room, Math.max(log.head.get(room) ?? 0, ack.seq));
  }
}

/** Subscribes `client` (retrying a refusal: a join may wait for a redistributor taking over), live or from `since`. */
export async function subscribeRetrying(
  client: RawClient,
  room: string,
  from?: { since: number; epoch: string },
): Promise<{ startAfter: number; epoch: string }> {
  for (;;) {
    const reply: ServerFrame = await client.request({ t: "sub", room, ...from }, 30_000);
    if (reply.t === "subscribed") return { startAfter: from ? from.since : reply.lastSeq, epoch: reply.epoch };
    if (reply.t !== "error" || !reply.retryable) throw new Error(`sub refused: ${JSON.stringify(reply)}`);
    await sleep(200);
  }
}

/** A subscription that must see every event of `room` after `startAfter` (events are added at the end). */
export function subscriptionRecord(client: string, room: string, startAfter: number): SubscriptionRecord {
  return { client, room, startAfter, mayRead: true, stayed: true, events: [], epochs: [], notRecovered: 0 };
}

/** Waits until every subscriber got up to its room's last acked seq, then copies what each received into its record. */
export async function collectWhenCaughtUp(
  subscribers: ReadonlyArray<{ readonly client: RawClient; readonly record: SubscriptionRecord }>,
  head: ReadonlyMap<string, number>,
): Promise<void> {
  await waitUntil(
    () =>
      subscribers.every(
        ({ client, record }) =>
          (client.events(record.room).at(-1)?.seq ?? record.startAfter) >= (head.get(record.room) ?? 0),
      ),
    "every subscriber to reach its room's last acked seq",
    60_000,
  );
  for (const { client, record } of subscribers) recordEvents(client, record);
}

/** Copies what `client` received in the record's room into the record. */
export function recordEvents(client: RawClient, record: SubscriptionRecord): void {
  for (const e of client.events(record.room)) record.events.push({ seq: e.seq, cmid: e.cmid ?? "", id: e.id });
}

/** The final history of each room, read page by page through `reader`. */
export async function roomHistories(
  reader: RawClient,
  rooms: readonly string[],
  epochs: ReadonlyMap<string, string>,
): Promise<RoomHistory[]> {
  const histories: RoomHistory[] = [];
  for (const room of rooms) {
    const events = await readAllHistory(reader, room);
    const seen = events.map((e) => ({ seq: e.seq, cmid: e.cmid ?? "", id: e.id }));
    histories.push({ room, epoch: epochs.get(room) ?? "", events: seen });
  }
  return histories;
}
