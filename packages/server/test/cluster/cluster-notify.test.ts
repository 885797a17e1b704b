/**
 * Push and webhooks in cluster mode with real processes: gateways serve the
 * routes, the sink role delivers (docs/cluster.md). Needs PARLEY_TEST_KAFKA
 * and PARLEY_TEST_PG_URL; fails, never skips, without them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { uniqueRoom } from "../support/fixtures.js";
import { LocalPushService } from "../support/push-service.js";
import { restAs } from "../support/rest-as.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";
import { TestCluster } from "../support/cluster-fixture.js";

const ARGS = [
  "--outbound-allowed-networks",
  "127.0.0.1",
  "--kafka-session-timeout-ms",
  "3000",
  "--webhook-retry-base-ms",
  "50",
  "--webhook-retry-max-ms",
  "200",
];

describe("cluster: push and webhooks", { timeout: 200_000 }, () => {
  let cluster: TestCluster;
  let service: LocalPushService;
  let receiver: WebhookReceiver;
  const gw = (i: number, user: string) => restAs(cluster.gateways[i]!.httpUrl, user);

  before(async () => {
    service = await LocalPushService.start();
    receiver = await WebhookReceiver.start();
    cluster = await TestCluster.start({
      gateways: 2,
      sequencers: 1,
      args: ARGS,
      env: { NODE_EXTRA_CA_CERTS: service.caFile },
    });
  });
  after(async () => {
    await cluster?.dispose();
    await service?.stop();
    await receiver?.stop();
  });

  const explained = (body: () => Promise<void>) => async () => cluster.explained(body)();

  it(
    "every gateway serves the one VAPID key the sink signs with; a DM on one gateway pushes once",
    explained(async () => {
      const keys = await Promise.all(
        [0, 1].map((i) => gw(i, "x").call<{ publicKey: string }>("GET", "/v1/push/vapid-public-key")),
      );
      assert.equal(keys[0]!.body.publicKey, keys[1]!.body.publicKey);
      const sub = service.subscribe();
      const reg = await gw(1, "bob").call("POST", "/v1/push/subscriptions", { endpoint: sub.endpoint, keys: sub.keys });
      assert.equal(reg.status, 201);
      const seq = await gw(0, "amy").publish("dm:amy:bob", { text: "from another gateway" });
      const push = await service.next((p) => p.subscription === sub.id, 30_000);
      assert.deepEqual(push.payload, {
        room: "dm:amy:bob",
        seq,
        from: "amy",
        text: "from another gateway",
        kind: "dm",
      });
      assert.equal(push.vapid.key, keys[0]!.body.publicKey);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(service.hits.get(sub.id), 1);
    }),
  );

  it(
    "delivers a room's events in order through the sink, and resumes after the sink is killed",
    explained(async () => {
      const room = uniqueRoom("c-hooks");
      assert.equal(
        (await gw(0, "amy").call("POST", "/v1/rooms", { id: room, type: "public", name: room })).status,
        201,
      );
      const created = await gw(1, "amy").call("POST", `/v1/rooms/${room}/webhooks`, { url: receiver.url("/c") });
      assert.equal(created.status, 201);
      const seqs = [await gw(0, "amy").publish(room, { text: "1" }), await gw(1, "amy").publish(room, { text: "2" })];
      await receiver.until(() => delivered().length === 2, "the first two", 30_000);
      await cluster.sink.kill9();
      seqs.push(await gw(0, "amy").publish(room, { text: "3" }));
      await cluster.sink.start();
      seqs.push(await gw(1, "amy").publish(room, { text: "4" }));
      await receiver.until(() => delivered().length === 4, "all four", 45_000);
      assert.deepEqual(delivered(), seqs);
    }),
  );

  /** Seqs answered 2xx on /c, first arrival per event id. */
  function delivered(): number[] {
    const seen = new Set<string>();
    return receiver
      .at("/c")
      .filter(
        (h) =>
          h.status === 200 &&
          !seen.has(String(h.headers["parley-event-id"])) &&
          seen.add(String(h.headers["parley-event-id"])),
      )
      .map((h) => (JSON.parse(h.rawBody) as RoomEvent).seq);
  }
});
