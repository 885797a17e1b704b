/**
 * Taking a partition over from an instance that keeps its other partitions
 * (kafka/sequencer/ownership.ts, shared-transactions.ts), on a real broker:
 * the old owner is fenced as a whole, yet only the partition taken is lost
 * to it, and nothing it hands over for that partition commits any more.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Consumer } from "@platformatic/kafka";
import { closeForced } from "#server/kafka/close-client.js";
import { PartitionReader } from "#server/kafka/partition-reader.js";
import { encodeState } from "#server/kafka/records.js";
import {
  currentOwner,
  instanceTransactionalId,
  ownerHistory,
  takeOver,
  type OwnershipDeps,
} from "#server/kafka/sequencer/ownership.js";
import { PartitionFenced, SharedTransactions } from "#server/kafka/sequencer/shared-transactions.js";
import { ensureTopics } from "#server/kafka/topics.js";
import { deleteTestTopics, testCluster } from "../../support/test-kafka.js";

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function setup(label: string) {
  const cluster = testCluster(label, 2);
  const layout = await ensureTopics(cluster);
  cleanups.push(() => deleteTestTopics(cluster));
  const reader = new Consumer({
    clientId: "ownership-test",
    groupId: "ownership-test-unjoined",
    bootstrapBrokers: [...cluster.brokers],
  });
  cleanups.push(() => closeForced(reader));
  const deps: OwnershipDeps = { cluster, layout, reader, clientId: "ownership-test" };
  const instance = (name: string) => {
    const shared = new SharedTransactions({
      cluster,
      clientId: `ownership-test-${name}`,
      transactionalId: instanceTransactionalId(cluster, name),
      owner: (p) => currentOwner(deps, p),
    });
    cleanups.push(() => shared.close());
    return shared;
  };
  return { layout, reader, deps, instance };
}

test("a partition taken over is lost to its old owner; the old owner keeps the others", async () => {
  const { layout, reader, deps, instance } = await setup("ownership-takeover");
  const head = (p: number, room: string, lastSeq: number) => [
    encodeState(layout.names.state, p, room, { epoch: "e", lastSeq }),
  ];
  const a = instance("a");
  await takeOver(deps, a, 0);
  await takeOver(deps, a, 1);
  await a.commit(0, head(0, "r0", 1));
  await a.commit(1, head(1, "r1", 1));

  const b = instance("b");
  await takeOver(deps, b, 0);
  assert.deepEqual(await ownerHistory(deps, 0), [a.transactionalId, b.transactionalId]);

  // a was fenced as a whole: its next transaction fails, it initialises again and reads the owners.
  await a.commit(1, head(1, "r1", 2));
  await assert.rejects(a.commit(0, head(0, "r0", 2)), PartitionFenced);
  await b.commit(0, head(0, "r0", 3));

  const state = new PartitionReader(reader, layout.names.state);
  const seqs = async (p: number) => {
    const out: number[] = [];
    const end = (await state.endOffsets([p])).get(p) ?? 0n;
    for (let at = 0n; at < end;) {
      const batch = (await state.fetch(new Map([[p, at]]))).get(p);
      if (!batch) continue;
      for (const r of batch.records) out.push((JSON.parse(r.value!.toString()) as { lastSeq: number }).lastSeq);
      at = batch.next;
    }
    return out;
  };
  assert.deepEqual(await seqs(0), [1, 3], "partition 0: a's head before the takeover, then only b's");
  assert.deepEqual(await seqs(1), [1, 2], "partition 1 stays a's");
});

test("an instance that restarts its own partition's worker settles its earlier transactions first", async () => {
  const { deps, instance } = await setup("ownership-restart");
  const a = instance("solo");
  await takeOver(deps, a, 0);
  a.release(0);
  await assert.rejects(a.commit(0, []), PartitionFenced, "a released partition refuses batches");
  await takeOver(deps, a, 0);
  assert.deepEqual(await ownerHistory(deps, 0), [a.transactionalId, a.transactionalId]);
});
