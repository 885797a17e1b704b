import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import { ClusterDisconnect, type DisconnectRecord } from "#server/cluster/cluster-disconnect.js";

describe("ClusterDisconnect", () => {
  it("hands other nodes' requests to listeners, never its own or malformed ones", async () => {
    const sent: DisconnectRecord[] = [];
    const relay = new ClusterDisconnect({ nodeId: "a", publish: async (r) => void sent.push(r) });
    const heard: Array<[string, boolean]> = [];
    const stop = relay.onDisconnect((user, reconnect) => heard.push([user, reconnect]));
    await relay.send("mallory", true);
    assert.deepEqual(sent, [{ node: "a", disconnect: { user: "mallory", reconnect: true } }]);
    relay.apply(sent[0] ?? {}); // our own record, read back from the topic
    relay.apply({ node: "b", disconnect: { user: "trent", reconnect: false } });
    relay.apply({ node: "b", disconnect: { reconnect: true } as unknown as DisconnectRecord["disconnect"] });
    stop();
    relay.apply({ node: "b", disconnect: { user: "late", reconnect: false } });
    assert.deepEqual(heard, [["trent", false]]);
  });

  it("a request the topic did not take is UNAVAILABLE (retryable)", async () => {
    const relay = new ClusterDisconnect({ nodeId: "a", publish: () => Promise.reject(new Error("broker gone")) });
    await assert.rejects(relay.send("mallory", false), (err: unknown) => {
      return err instanceof ParleyError && err.code === "UNAVAILABLE" && err.retryable;
    });
  });
});
