import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterTyping, type TypingBatch } from "#server/cluster/cluster-typing.js";

/** Two nodes wired to each other directly; `heard` collects what each node's listener got. */
function pair(batchMs = 5) {
  const heard = { a: [] as string[], b: [] as string[] };
  const sent: TypingBatch[] = [];
  const nodes: Record<string, ClusterTyping> = {};
  for (const id of ["a", "b"] as const) {
    const publish = (batch: TypingBatch) => {
      sent.push(batch);
      for (const node of Object.values(nodes)) node.apply(batch);
    };
    nodes[id] = new ClusterTyping({ nodeId: id, publish, batchMs });
    nodes[id]!.onTyping((room, user) => heard[id].push(`${room} ${user}`));
  }
  return { a: nodes.a!, b: nodes.b!, heard, sent };
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setImmediate(r));
};

describe("ClusterTyping", () => {
  it("a burst leaves as one batch, in order, every notice kept; the other node hears it, the sender does not", async () => {
    const { a, heard, sent } = pair();
    a.send("r", "ann");
    a.send("r", "ann");
    a.send("s", "bob");
    assert.equal(sent.length, 0, "nothing yet: the notices wait for the batch delay");
    await until(() => sent.length > 0);
    assert.deepEqual(sent, [
      {
        node: "a",
        typing: [
          ["r", "ann"],
          ["r", "ann"],
          ["s", "bob"],
        ],
      },
    ]);
    assert.deepEqual(
      heard.b,
      ["r ann", "r ann", "s bob"],
      "nothing merged: the sender's gateway already limited the rate",
    );
    assert.deepEqual(heard.a, [], "a node never hears its own notices");
  });

  it("a full batch leaves at once; stop drops what is pending", () => {
    const sent: TypingBatch[] = [];
    const node = new ClusterTyping({ nodeId: "n", publish: (b) => sent.push(b), batchMs: 60_000, maxBatch: 3 });
    for (const user of ["u1", "u2", "u3", "u4"]) node.send("room", user);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.typing.length, 3);
    node.stop();
    assert.equal(sent.length, 1, "the fourth notice is dropped, never sent late");
  });

  it("skips malformed entries of another node's batch", () => {
    const { a, heard } = pair();
    const typing = [["r", "ann"], ["r"], [1, "x"], "bad", ["s", "cat"]] as unknown as TypingBatch["typing"];
    a.apply({ node: "b", typing });
    assert.deepEqual(heard.a, ["r ann", "s cat"]);
  });

  it("an unsubscribed listener hears nothing more", () => {
    const node = new ClusterTyping({ nodeId: "n", publish: () => undefined });
    const heard: string[] = [];
    const off = node.onTyping((room, user) => heard.push(`${room} ${user}`));
    node.apply({ node: "m", typing: [["r", "a"]] });
    off();
    node.apply({ node: "m", typing: [["r", "b"]] });
    assert.deepEqual(heard, ["r a"]);
  });
});
