/**
 * The inbox across gateways: every change happens through gateway A (REST or a publish), the
 * inboxes are open on gateway B. Two gateways, one sequencer and a sink as real processes on the
 * test broker and PostgreSQL. Delays are reported as diagnostics; the DM's is asserted under 1 s.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dmRoomId, type InboxRoomFrame, type ServerFrame } from "@parley/protocol";
import { uniqueRoom } from "../support/fixtures.js";
import type { RawClient } from "../support/raw-client.js";
import { restAs } from "../support/rest-as.js";
import { TestCluster } from "../support/cluster-fixture.js";

const pid = process.pid;

function pushed(c: RawClient, room: string, change: string, seq?: number): Promise<InboxRoomFrame> {
  const match = (f: ServerFrame) =>
    f.t === "inbox.room" && f.room.id === room && f.change === change && (seq === undefined || f.seq === seq);
  return c.waitFor(match, 20_000) as Promise<InboxRoomFrame>;
}

describe("cluster inbox: changes through gateway A reach inboxes on gateway B", { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let a: TestCluster["gateways"][number];
  let b: TestCluster["gateways"][number];
  before(async () => {
    cluster = await TestCluster.start({ gateways: 2, sequencers: 1 });
    [a, b] = cluster.gateways as [typeof a, typeof b];
  });
  after(() => cluster?.dispose());

  it("a DM, an invitation, a removal, counts and a receipt from another device on A", async (t) => {
    await cluster.explained(async () => {
      const [ann, bob] = [`ann${pid}`, `bob${pid}`];
      const inbox = await cluster.connect(b, bob);
      await inbox.expect({ t: "inbox" }, "inbox", 20_000);
      const annA = restAs(a.httpUrl, ann);

      const dm = dmRoomId(ann, bob);
      const started = Date.now();
      assert.equal((await annA.call("POST", "/v1/dms", { user: bob })).status, 201);
      await pushed(inbox, dm, "dm");
      const latency = Date.now() - started;
      t.diagnostic(`DM through A → inbox on B: ${latency} ms`);
      assert.ok(latency < 1000, `the DM reached B's inbox after ${latency} ms`);

      const room = uniqueRoom("cl-inbox");
      assert.equal((await annA.call("POST", "/v1/rooms", { id: room, type: "private", name: "Ops" })).status, 201);
      assert.equal((await annA.call("POST", `/v1/rooms/${room}/members`, { user: bob })).status, 201);
      assert.equal((await pushed(inbox, room, "added")).room.name, "Ops");
      const one = await annA.publish(room, { text: "one" });
      const two = await annA.publish(room, { text: `two @${bob}` });
      const counted = (await pushed(inbox, room, "activity", two)).room;
      assert.deepEqual([counted.unread, counted.mentions], [2, 1]);
      // Bob's phone, on A, reads the first message: a partial receipt, recounted from PostgreSQL.
      const phone = await cluster.connect(a, bob);
      const receipt = await phone.expect(
        { t: "pub", room, cmid: `rc-${pid}`, kind: "receipt", body: { upTo: one } },
        "ack",
      );
      const read = await pushed(inbox, room, "read", receipt.seq);
      assert.deepEqual([read.room.lastReadSeq, read.room.unread, read.room.mentions], [one, 1, 1]);

      assert.equal((await annA.call("DELETE", `/v1/rooms/${room}/members/${bob}`)).status, 200);
      const gone = await inbox.waitFor((f) => f.t === "inbox.gone" && f.room === room, 20_000);
      assert.equal(gone.t === "inbox.gone" && gone.change, "removed");
    })();
  });
});
