/**
 * A connection's publishes to a room reach the log in the order they were
 * sent, in Kafka mode too (issue 14 finding: 40 pipelined publishes were
 * acked as seqs 1, 25, 32, 28, … because the gateway awaited each one's
 * checks, PostgreSQL lookups, before appending, so later ones overtook
 * earlier ones; gateway/arrival-order.ts is the fix).
 *
 * Two gateways, a sequencer and a sink as real processes. Each round makes
 * fresh rooms through the other gateway, so the publishing gateway's room
 * rule cache is cold and the first publishes wait on PostgreSQL while later
 * ones would find the cache filled: a private room (room and membership
 * lookups) and a plain one (room lookup). One connection then sends 48
 * publishes to each, interleaved and without waiting for acks: messages,
 * reactions and edits (whose targets are read back through the log). The
 * acks must carry increasing seqs in send order, and history, from the
 * gateway and from the sink's PostgreSQL, must hold them in send order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Json, ServerFrame } from "@parley/protocol";
import { range, readAllHistory, uniqueCmid, uniqueRoom } from "../support/fixtures.js";
import { restAs } from "../support/rest-as.js";
import type { RawClient } from "../support/raw-client.js";
import { TestCluster } from "../support/cluster-fixture.js";
import { waitUntil } from "../support/wait.js";

const ROUNDS = 4;
/** Pipelined publishes per room per round. */
const PER_ROOM = 48;
const USER = "ann";

/** One publish as sent: its room, cmid, kind and body. */
interface Sent {
  readonly room: string;
  readonly cmid: string;
  readonly kind: string;
  readonly body: Json;
}

describe("pipelined publishes keep send order through the cluster", { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await TestCluster.start({ gateways: 2, sequencers: 1 });
  });
  after(() => cluster?.dispose());

  it(`${PER_ROOM} pipelined publishes per room are acked and stored in send order, ${ROUNDS} rounds`, async () => {
    await cluster.explained(async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const [publishing, other] = round % 2 === 0 ? cluster.gateways : [...cluster.gateways].reverse();
        assert.ok(publishing && other);
        const rooms = await freshRooms(other.httpUrl, round);
        const client = await cluster.connect(publishing, USER);
        const sent = plan(rooms);
        const replies = await Promise.all(sent.map((s) => client.request({ t: "pub", ...s }, 30_000)));
        for (const { room, seed } of rooms) {
          const acked = ackedSeqs(sent, replies, room);
          assert.deepEqual(acked, range(seed + 1, seed + PER_ROOM), `round ${round + 1}: ${room} acked in send order`);
          await assertStoredInSendOrder(client, room, seed, sentTo(sent, room));
        }
        await client.close();
      }
    })();
  });

  /** The history the gateway serves, and then the sink's rows, hold `sent` in order after the seed. */
  async function assertStoredInSendOrder(
    client: RawClient,
    room: string,
    seed: number,
    sent: readonly string[],
  ): Promise<void> {
    const after = (events: ReadonlyArray<{ seq: number; cmid: string }>) =>
      events.filter((e) => e.seq > seed).map((e) => e.cmid);
    assert.deepEqual(after(await readAllHistory(client, room)), sent, `${room}: history in send order`);
    const stored = async () => after(await cluster.storedEvents(room));
    await waitUntil(async () => (await stored()).length === sent.length, `the sink stores ${room}`);
    assert.deepEqual(await stored(), sent, `${room}: PostgreSQL in send order`);
  }
});

/** A private room of USER's and a plain room, each with a message of USER's at seq `seed` (made on `httpUrl`). */
async function freshRooms(httpUrl: string, round: number): Promise<Array<{ room: string; seed: number }>> {
  const rest = restAs(httpUrl, USER);
  const [closed, open] = [uniqueRoom(`pipelined-private-${round}`), uniqueRoom(`pipelined-plain-${round}`)];
  const created = await rest.call("POST", "/v1/rooms", { id: closed, type: "private", name: "p" });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return Promise.all([closed, open].map(async (room) => ({ room, seed: await rest.publish(room, { text: "seed" }) })));
}

/**
 * PER_ROOM publishes to each room, interleaved: messages, reactions to the
 * seed and edits of it, so the checks differ in what they read.
 */
function plan(rooms: ReadonlyArray<{ room: string; seed: number }>): Sent[] {
  const sent: Sent[] = [];
  for (let i = 0; i < PER_ROOM; i++) {
    for (const { room, seed: target } of rooms) {
      const [kind, body]: [string, Json] =
        i % 3 === 0
          ? ["message", { text: `m${i}` }]
          : i % 3 === 1
            ? ["reaction", { target, emoji: "👍", op: i % 2 === 0 ? "add" : "remove" }]
            : ["edit", { target, text: `e${i}` }];
      sent.push({ room, cmid: uniqueCmid(), kind, body });
    }
  }
  return sent;
}

function sentTo(sent: readonly Sent[], room: string): string[] {
  return sent.filter((s) => s.room === room).map((s) => s.cmid);
}

/** The seqs acked for `room`, in the order the publishes were sent; fails on any reply that is not an ack. */
function ackedSeqs(sent: readonly Sent[], replies: readonly ServerFrame[], room: string): number[] {
  return replies.flatMap((reply, i) => {
    if (sent[i]?.room !== room) return [];
    if (reply.t !== "ack") assert.fail(`publish ${i} to ${room} answered ${JSON.stringify(reply)}`);
    return [reply.seq];
  });
}
