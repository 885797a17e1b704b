/**
 * The server API in a cluster: two gateways (A and B), one sequencer and a sink as real processes.
 * Every call goes to A; what it changes must reach a client on B: a bot's message, a room's
 * deletion (through the log), a disconnect (through the presence topic), and B's users in A's
 * occupancy (cluster presence).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CLOSE } from "@parley/protocol";
import { subscribe } from "../support/fixtures.js";
import { TestCluster } from "../support/cluster-fixture.js";
import { KeysFile, serverApi, testKey } from "../support/server-keys.js";
import { waitUntil } from "../support/wait.js";

describe("server API across gateways", { timeout: 180_000 }, () => {
  const keys = new KeysFile();
  const key = testKey("cluster-backend");
  keys.write([key.entry]);
  let cluster: TestCluster;
  let a: TestCluster["gateways"][number];
  let b: TestCluster["gateways"][number];
  const call = () => serverApi(a.httpUrl, key.credential);
  before(async () => {
    cluster = await TestCluster.start({ gateways: 2, sequencers: 1, args: ["--server-keys-file", keys.path] });
    [a, b] = cluster.gateways as [typeof a, typeof b];
  });
  after(async () => {
    await cluster?.dispose();
    keys.cleanup();
  });

  it("a room created, written to and deleted through A: B's subscriber gets the message, then loses the room", async () => {
    await cluster.explained(async () => {
      const created = await call()<{ id: string }>("POST", "/v1/server/rooms", {
        type: "private",
        name: "Ops",
        from: "ops-bot",
        members: ["alice"],
      });
      assert.equal(created.status, 201);
      const room = created.body.id;
      const alice = await cluster.connect(b, "alice");
      await subscribe(alice, room);
      const sent = await call()("POST", `/v1/server/rooms/${room}/messages`, {
        from: "ops-bot",
        cmid: randomUUID(),
        body: { text: "deploy at noon" },
      });
      assert.equal(sent.status, 201);
      const [event] = await alice.waitForEvents(room, 1, 30_000);
      assert.deepEqual([event?.from, event?.body], ["ops-bot", { text: "deploy at noon" }]);

      const deleted = await call()("DELETE", `/v1/server/rooms/${room}?from=ops-bot`);
      assert.equal(deleted.status, 200);
      await alice.waitFor((f) => f.t === "unsubscribed" && f.room === room && f.code === "ROOM_NOT_FOUND", 30_000);
      const again = await alice.request({ t: "sub", room });
      assert.deepEqual([again.t, again.t === "error" && again.code], ["error", "FORBIDDEN"]);
      assert.equal(
        (await fetch(`${b.httpUrl}/v1/rooms/${room}`, { headers: { "x-parley-user": "alice" } })).status,
        404,
      );
    })();
  });

  it("a disconnect asked of A closes the user's sessions on A and on B, and no one else's", async () => {
    await cluster.explained(async () => {
      const onA = await cluster.connect(a, "mallory");
      const onB = await cluster.connect(b, "mallory");
      const bystander = await cluster.connect(b, "trent");
      const reply = await call()("POST", "/v1/server/users/mallory/disconnect");
      assert.deepEqual(reply.body, { user: "mallory", reconnect: false, closedHere: 1 });
      assert.equal((await onA.waitClosed()).code, CLOSE.DISCONNECTED);
      assert.equal((await onB.waitClosed(30_000)).code, CLOSE.DISCONNECTED);
      const back = await cluster.connect(b, "mallory");
      await call()("POST", "/v1/server/users/mallory/disconnect", { reconnect: true });
      assert.equal((await back.waitClosed(30_000)).code, CLOSE.RECONNECT_REQUESTED);
      assert.equal(bystander.closeInfo, undefined, "trent keeps his session");
    })();
  });

  it("occupancy and presence asked of A count B's connections", async () => {
    await cluster.explained(async () => {
      const room = `occupied-${randomUUID().slice(0, 8)}`;
      for (const user of ["carol", "carol", "dave"]) await subscribe(await cluster.connect(b, user), room);
      type Occupancy = { rooms: Array<{ room: string; users: number; connections: number }> };
      await waitUntil(
        async () => {
          const { body } = await call()<Occupancy>("GET", "/v1/server/occupancy?limit=1000");
          return body.rooms.some((r) => r.room === room && r.users === 2 && r.connections === 3);
        },
        "B's subscribers in A's occupancy",
        30_000,
      );
      const presence = await call()("GET", `/v1/server/rooms/${room}/presence`);
      assert.deepEqual(presence.body, {
        room,
        users: 2,
        connections: 3,
        members: [
          { user: "carol", connections: 2 },
          { user: "dave", connections: 1 },
        ],
      });
    })();
  });
});
