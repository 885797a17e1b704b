/**
 * SSE without sticky sessions (issue 14, item 2): three gateways behind a
 * round-robin balancer, so an SSE client's stream and each of its POSTs land
 * on different gateways; a POST for another gateway's session is forwarded
 * there. Clients publish, receive and resume with nothing lost, duplicated
 * or reordered, also across a kill -9 of the gateway holding the stream; a
 * forwarded POST is answered exactly as the session's own gateway answers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AckFrame, RoomEvent } from "@parley/protocol";
import { ParleyClient, type PublishAck } from "@parley/client/node";
import { TestCluster } from "../support/cluster-fixture.js";
import type { ClusterProcess } from "../support/cluster-process.js";
import { uniqueRoom } from "../support/fixtures.js";
import { RoundRobinBalancer } from "../support/round-robin-balancer.js";
import { SseClient } from "../support/sse-client.js";
import { waitUntil } from "../support/wait.js";

const SSE = "/v1/sse";

describe("SSE through a round-robin balancer over three gateways", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let balancer: RoundRobinBalancer;
  const sdkClients: ParleyClient[] = [];
  const rawClients: SseClient[] = [];

  before(async () => {
    cluster = await TestCluster.start({ gateways: 3, sequencers: 1 });
    balancer = await RoundRobinBalancer.start(() => cluster.gateways.map((g) => g.httpUrl));
    await waitForMesh(cluster.gateways);
  });
  after(async () => {
    for (const c of sdkClients) c.disconnect();
    for (const c of rawClients) c.destroy();
    await balancer?.stop();
    await cluster?.dispose();
  });

  /** A raw SSE client, connected as `user`, through the balancer (or straight to a gateway). */
  async function rawClient(user: string, baseUrl = balancer.url): Promise<SseClient> {
    const client = await SseClient.connect(baseUrl, { user });
    rawClients.push(client);
    return client;
  }

  /** The SDK on SSE only, through the balancer; quick to reconnect. */
  function sdkClient(user: string): ParleyClient {
    const client = new ParleyClient({
      url: balancer.wsUrl,
      user,
      transports: ["sse"],
      backoff: { minMs: 50, maxMs: 500 },
    });
    sdkClients.push(client);
    return client;
  }

  it("raw clients: each POST on the next gateway, every message once, in seq and publish order", async () => {
    await cluster.explained(async () => {
      const room = uniqueRoom("sse-rr");
      const bob = await rawClient("bob");
      assert.equal((await bob.request({ t: "sub", room })).t, "subscribed");
      const alice = await rawClient("alice");
      const postsBefore = balancer.requests.length;
      const n = 30;
      // One POST at a time, the next after the previous one's 204, as the SDK does; the acks come on the stream.
      for (let i = 0; i < n; i++) {
        assert.equal(await alice.post({ t: "pub", id: 100 + i, room, cmid: `a-${room}-${i}`, body: i }), 204);
      }
      await waitUntil(() => acksOf(alice).length === n, `${n} acks`, 30_000);
      const acks = acksOf(alice).sort((x, y) => x.id - y.id);
      assert.deepEqual(
        acks.map((a) => a.seq),
        range(1, n),
        "acked in publish order, seqs 1..n",
      );
      const events = await bob.waitForEvents(room, n, 30_000);
      assert.deepEqual(
        events.map((e) => [e.seq, e.body]),
        range(1, n).map((s) => [s, s - 1]),
        "bob got each once, in order",
      );
      const postTargets = new Set(balancer.requests.slice(postsBefore).map((r) => r.target));
      assert.equal(postTargets.size, 3, "the POSTs landed on all three gateways");
    })();
  });

  it("a forwarded POST gets the answer the session's own gateway gives", async () => {
    await cluster.explained(async () => {
      const [holder, other] = cluster.gateways as [ClusterProcess, ClusterProcess];
      const cases: Array<[string, number, string, Record<string, string>]> = [
        ["a frame", 204, '{"t":"ping","id":7}', {}],
        ["a bad frame (its error on the stream)", 204, '{"t":"nope"}', {}],
        ["not JSON", 400, "{", {}],
        ["invalid UTF-8", 400, "", { "x-body": "invalid-utf8" }],
        ["too large", 413, `[${'"x",'.repeat(20_000)}"x"]`, {}],
        ["a refused Origin", 403, '{"t":"ping"}', { origin: "https://elsewhere.example" }],
      ];
      for (const [what, status, body, headers] of cases) {
        const answers = [];
        for (const via of [holder, other]) {
          const session = await rawClient("answers", holder.httpUrl);
          answers.push(await rawPost(via, session.session, body, headers));
        }
        assert.equal(answers[0]?.status, status, `${what}: ${JSON.stringify(answers[0])}`);
        assert.deepEqual(answers[1], answers[0], `${what}: forwarded answer = local answer`);
      }
      const session = await rawClient("answers", holder.httpUrl);
      const [node, uuid] = session.session.split(".") as [string, string];
      assert.ok(node && uuid, `a cluster session id names its node: ${session.session}`);
      for (const id of [`${node}.${crypto.randomUUID()}`, `nosuchnode.${uuid}`, uuid]) {
        assert.equal((await rawPost(other, id, '{"t":"ping"}')).status, 404, `unknown session ${id}`);
      }
      // One hop only: a request already forwarded is answered where it arrives.
      const forwarded = { "x-parley-forwarded": "1" };
      assert.equal((await rawPost(other, session.session, '{"t":"ping"}', forwarded)).status, 404);
      assert.equal((await rawPost(holder, session.session, '{"t":"ping"}', forwarded)).status, 204);
    })();
  });

  it("SDK clients publish, receive and resume across a kill -9 of the gateway holding the stream", async () => {
    await cluster.explained(async () => {
      const room = uniqueRoom("sse-sdk");
      const carol = sdkClient("carol");
      await carol.connect();
      // Connected one at a time, so the last stream the balancer opened is carol's.
      const carolsGateway = lastStreamTarget(balancer);
      const seen: RoomEvent[] = [];
      carol.room(room).on("event", (e) => seen.push(e));
      let carolDropped = 0;
      carol.on("disconnected", () => carolDropped++);
      const resumed: boolean[] = [];
      carol.room(room).on("subscribed", (info) => resumed.push(info.recovered));
      await carol.room(room).subscribe();
      const [alice, bob] = [sdkClient("alice"), sdkClient("bob")];
      await alice.connect();
      await bob.connect();

      const n = 20;
      const acks: Array<Promise<PublishAck>> = [];
      const publishRound = (from: number, to: number): void => {
        for (let i = from; i < to; i++) {
          acks.push(alice.room(room).publish({ from: "alice", i }));
          acks.push(bob.room(room).publish({ from: "bob", i }));
        }
      };
      publishRound(0, n);
      await waitUntil(() => seen.length >= n, "carol sees the first messages", 30_000);
      const victim = cluster.gateways.find((g) => g.httpUrl === carolsGateway);
      assert.ok(victim, `carol's stream is on a gateway: ${carolsGateway}`);
      await victim.kill9();
      publishRound(n, 2 * n); // while carol (and maybe alice or bob) reconnect
      const acked = await Promise.all(acks);
      await waitUntil(() => seen.length >= 4 * n, `carol sees all ${4 * n}`, 60_000);

      assert.deepEqual(
        seen.map((e) => e.seq),
        range(1, 4 * n),
        "carol: every seq once, in order",
      );
      assert.deepEqual(
        acked.map((a) => a.seq).sort((x, y) => x - y),
        range(1, 4 * n),
        "each publish acked at its own seq",
      );
      for (const who of ["alice", "bob"]) {
        const order = seen
          .filter((e) => (e.body as { from: string }).from === who)
          .map((e) => (e.body as { i: number }).i);
        assert.deepEqual(order, range(0, 2 * n - 1), `${who}'s messages in publish order`);
      }
      const history = await carol.room(room).history({ after: 0, limit: 500 });
      assert.deepEqual(
        history.events.map((e) => e.cmid),
        seen.map((e) => e.cmid),
      );
      assert.equal(alice.pendingMessages + bob.pendingMessages, 0);
      assert.ok(carolDropped >= 1, "carol's stream died with its gateway");
      assert.ok(resumed.length >= 2 && resumed.slice(1).every(Boolean), `carol resumed completely: ${resumed}`);
      assert.ok(!lastStreamTarget(balancer)?.includes(`:${victim.port}`), "later streams avoid the dead gateway");
    })();
  });
});

/** Until every gateway knows every other (their URLs travel on the presence topic): a POST for a session forwards. */
async function waitForMesh(gateways: readonly ClusterProcess[]): Promise<void> {
  for (const holder of gateways) {
    const client = await SseClient.connect(holder.httpUrl, { user: "mesh" });
    try {
      for (const via of gateways) {
        const ping = '{"t":"ping"}';
        await waitUntil(
          async () => (await rawPost(via, client.session, ping)).status === 204,
          "the gateways' URLs",
          30_000,
        );
      }
    } finally {
      client.destroy();
    }
  }
}

/** POSTs `body` to `/v1/sse/<session>` of `gateway` (`x-body: invalid-utf8` sends the byte 0xff instead). */
async function rawPost(
  gateway: ClusterProcess,
  session: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; contentType: string | null }> {
  const { "x-body": kind, ...sent } = headers;
  const res = await fetch(`${gateway.httpUrl}${SSE}/${session}`, {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8", ...sent },
    body: kind === "invalid-utf8" ? new Uint8Array([0x5b, 0xff, 0x5d]) : body,
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get("content-type") };
}

function acksOf(client: SseClient): Array<AckFrame & { id: number }> {
  return client.frames.filter((f): f is AckFrame & { id: number } => f.t === "ack" && typeof f.id === "number");
}

function lastStreamTarget(balancer: RoundRobinBalancer): string | undefined {
  return balancer.requests.filter((r) => r.method === "GET" && r.path.startsWith(SSE)).at(-1)?.target;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
