import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ArrivalOrder } from "#server/gateway/arrival-order.js";

/** Which turns' `ready` has settled, read after the microtasks queued so far ran. */
async function settled(readies: readonly Promise<void>[]): Promise<boolean[]> {
  const seen = readies.map(() => false);
  readies.forEach((r, i) => void r.then(() => (seen[i] = true)));
  await new Promise((resolve) => setImmediate(resolve));
  return seen;
}

describe("ArrivalOrder", () => {
  it("gives the first publish its turn at once and each later one when every earlier one is done", async () => {
    const order = new ArrivalOrder();
    const turns = [0, 1, 2].map(() => order.enter("s1", "r"));
    assert.deepEqual(await settled(turns.map((t) => t.ready)), [true, false, false]);
    turns[0]?.done();
    assert.deepEqual(await settled(turns.map((t) => t.ready)), [true, true, false]);
    turns[1]?.done();
    turns[2]?.done();
    assert.deepEqual(await settled(turns.map((t) => t.ready)), [true, true, true]);
    assert.equal(order.size, 0);
  });

  it("keeps a later turn waiting for an earlier one though a turn between them was refused first", async () => {
    const order = new ArrivalOrder();
    const [a, b, c] = [0, 1, 2].map(() => order.enter("s1", "r"));
    b?.done(); // refused before its turn came
    assert.deepEqual(await settled([a!.ready, b!.ready, c!.ready]), [true, false, false]);
    a?.done();
    assert.equal((await settled([c!.ready]))[0], true);
    c?.done();
    assert.equal(order.size, 0);
  });

  it("orders each connection and room apart, and a second done changes nothing", async () => {
    const order = new ArrivalOrder();
    const first = order.enter("s1", "r");
    const otherRoom = order.enter("s1", "q");
    const otherSession = order.enter("s2", "r");
    const second = order.enter("s1", "r");
    assert.deepEqual(await settled([otherRoom.ready, otherSession.ready, second.ready]), [true, true, false]);
    otherRoom.done();
    otherRoom.done();
    otherSession.done();
    assert.equal((await settled([second.ready]))[0], false);
    first.done();
    first.done();
    assert.equal((await settled([second.ready]))[0], true);
    second.done();
    assert.equal(order.size, 0);
  });

  it("settles turn k only once turns 0..k-1 are done, whatever order they finish in (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), async (keys) => {
        const order = new ArrivalOrder();
        const turns = keys.map(() => order.enter("s", "r"));
        // A random permutation of the turns: the order in which they finish (refusals finish early).
        const finishing = turns.map((_, i) => i).sort((x, y) => (keys[x] ?? 0) - (keys[y] ?? 0) || x - y);
        const done = new Set<number>();
        for (const i of finishing) {
          const seen = await settled(turns.map((t) => t.ready));
          seen.forEach((s, k) =>
            assert.equal(
              s,
              [...Array(k).keys()].every((j) => done.has(j)),
              `turn ${k}`,
            ),
          );
          turns[i]?.done();
          done.add(i);
        }
        assert.equal(order.size, 0);
      }),
      { numRuns: 60 },
    );
  });
});
