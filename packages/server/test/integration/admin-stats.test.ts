/**
 * The admin dashboard's data against a live embedded server (docs/admin.md): only a server key
 * with the admin scope reads it; it counts connections, users, messages in and out, rate-limit
 * refusals and the busiest rooms, from the node's own registry.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { ErrorFrame } from "@parley/protocol";
import { publish, range, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";
import { KeysFile, serverApi, testKey } from "../support/server-keys.js";
import { restAs } from "../support/rest-as.js";
import { ServerProcess } from "../support/server-process.js";
import { waitUntil } from "../support/wait.js";
import type { NodeTotals } from "#server/metrics/node-totals.js";

const keys = new KeysFile();
const admin = testKey("dash", ["admin"]);
const apiOnly = testKey("backend", ["api"]);
keys.write([admin.entry, apiOnly.entry]);
after(() => keys.cleanup());

const STATS = "/v1/server/admin/stats";

interface Stats {
  mode: string;
  totals: NodeTotals;
  occupiedRooms: number;
  topRooms: {
    byConnections: { room: string; users: number; connections: number }[];
    byMessages: { room: string; perSecond: number }[];
  };
  nodes: { id: string; self: boolean; status: string; roles: string[]; lag: unknown[] }[];
}

describe("admin stats", () => {
  const suite = serverSuite({ args: ["--server-keys-file", keys.path, "--publish-rate-per-connection", "5"] });
  const it = suite.it;
  const stats = async (): Promise<Stats> => {
    const reply = await serverApi(suite.server.httpUrl, admin.credential)<Stats>("GET", STATS);
    assert.equal(reply.status, 200);
    return reply.body;
  };

  it("refuses no key and a wrong key (401), an api-only key (403) and a user (401)", async () => {
    const secret = admin.credential.split(".")[1] ?? "";
    for (const credential of [undefined, `dash.${secret}x`, `nobody.${secret}`]) {
      const reply = await serverApi(suite.server.httpUrl, credential)("GET", STATS);
      assert.equal(reply.status, 401, String(credential));
      assert.equal((reply.body as { error: { code: string } }).error.code, "UNAUTHORIZED");
    }
    const scoped = await serverApi(suite.server.httpUrl, apiOnly.credential)("GET", STATS);
    assert.deepEqual([scoped.status, (scoped.body as { error: { code: string } }).error.code], [403, "FORBIDDEN"]);
    assert.equal((await restAs(suite.server.httpUrl, "alice").call("GET", STATS)).status, 401);
  });

  it("counts connections, users, messages in and out, refusals and the busiest rooms", async (pool) => {
    const before = await stats();
    assert.equal(before.mode, "embedded");
    assert.deepEqual(
      before.nodes.map((n) => [n.id, n.self, n.status]),
      [["embedded", true, "ready"]],
    );
    const room = uniqueRoom("admin");
    const ann = await pool.connect({ user: "ann" });
    const bob = await pool.connect({ user: "bob" });
    const bob2 = await pool.connect({ user: "bob" });
    for (const c of [ann, bob, bob2]) await subscribe(c, room);
    for (const i of range(1, 4)) await publish(ann, room, { i });
    // Burst 10 at 5/s: 15 at once leave some refused.
    const replies = await Promise.all(
      range(1, 15).map((i) => bob.request({ t: "pub", room, cmid: `x-${i}`, body: i })),
    );
    const limited = replies.filter((r) => r.t === "error" && (r as ErrorFrame).code === "RATE_LIMITED").length;
    assert.ok(limited > 0);
    const accepted = 4 + replies.filter((r) => r.t === "ack").length;

    await waitUntil(
      async () => {
        const now = await stats();
        return now.totals.messagesOut - before.totals.messagesOut === accepted * 3;
      },
      "every accepted message delivered to the three subscribers",
      10_000,
    );
    const now = await stats();
    assert.equal(now.totals.connections - before.totals.connections, 3);
    assert.equal(now.totals.users - before.totals.users, 2);
    assert.equal(now.totals.messagesIn - before.totals.messagesIn, accepted);
    assert.equal(now.totals.rateLimited - before.totals.rateLimited, limited);
    const busy = now.topRooms.byConnections.find((r) => r.room === room);
    assert.deepEqual(busy, { room, users: 2, connections: 3 });
    assert.equal(now.topRooms.byMessages[0]?.room, room);
    assert.ok((now.topRooms.byMessages[0]?.perSecond ?? 0) > 0);
    assert.ok(now.occupiedRooms >= 1);
  });
});

test("without a keys file the admin stats are off, like the server API", async () => {
  const server = await ServerProcess.start();
  try {
    const reply = await serverApi(server.httpUrl, admin.credential)("GET", STATS);
    assert.deepEqual(
      [reply.status, (reply.body as { error: { code: string } }).error.code],
      [404, "SERVER_API_DISABLED"],
    );
  } finally {
    await server.cleanup();
  }
});
