/**
 * Outgoing webhooks against a real server process and a real local HTTP
 * receiver: signatures, order, retries, the failing state, resume after kill -9.
 */
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { uniqueRoom } from "../support/fixtures.js";
import { restAs } from "../support/rest-as.js";
import { ServerProcess } from "../support/server-process.js";
import { WebhookReceiver, type ReceivedHook } from "../support/webhook-receiver.js";

// The receiver is on 127.0.0.1, which webhooks may reach only when allowed.
const TIMING = [
  "--outbound-allowed-networks",
  "127.0.0.1",
  "--webhook-retry-base-ms",
  "40",
  "--webhook-retry-max-ms",
  "200",
  "--webhook-max-attempts",
  "3",
];

/** Checks `parley-signature` as a receiver would: HMAC-SHA256(secret, "<t>.<raw body>"), constant-time compare. */
function signatureValid(hook: ReceivedHook, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hook.headers["parley-signature"]));
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${hook.rawBody}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
  return fresh && timingSafeEqual(expected, Buffer.from(match[2]!, "hex"));
}

/** Seqs of the events answered 2xx, first arrival of each event id only (receivers dedupe by id). */
function deliveredSeqs(hooks: ReceivedHook[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const h of hooks) {
    const id = String(h.headers["parley-event-id"]);
    if (h.status !== 200 || seen.has(id)) continue;
    seen.add(id);
    out.push((JSON.parse(h.rawBody) as RoomEvent).seq);
  }
  return out;
}

describe("webhooks", () => {
  let receiver: WebhookReceiver;
  let server: ServerProcess;
  const amy = () => restAs(server.httpUrl, "amy");

  before(async () => {
    receiver = await WebhookReceiver.start();
    server = await ServerProcess.start({ args: [...TIMING, "--webhook-pause-ms", "400"] });
  });
  after(async () => {
    await server?.cleanup();
    await receiver?.stop();
  });

  async function hookedRoom(path: string, secret?: string) {
    const room = uniqueRoom("hooks");
    assert.equal((await amy().call("POST", "/v1/rooms", { id: room, type: "public", name: room })).status, 201);
    const created = await amy().call<{ id: string; secret: string; url: string }>(
      "POST",
      `/v1/rooms/${room}/webhooks`,
      { url: receiver.url(path), ...(secret && { secret }) },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { room, hook: created.body };
  }

  it("refuses a bad URL or secret with a clear 400", async () => {
    const room = uniqueRoom("hooks-bad");
    for (const [body, message] of [
      [{ url: "ftp://example.com/x" }, /http or https/],
      [{ url: "not a url" }, /absolute http\(s\) URL/],
      [{ url: "http://u:p@127.0.0.1/x" }, /credentials/],
      [{}, /absolute http\(s\) URL/],
      [{ url: "http://127.0.0.1/x", secret: "short" }, /secret/],
    ] as const) {
      const reply = await amy().call<{ error: { code: string; message: string } }>(
        "POST",
        `/v1/rooms/${room}/webhooks`,
        body,
      );
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.error.code, "BAD_REQUEST");
      assert.match(reply.body.error.message, message);
    }
  });

  it("POSTs every later event of the room, signed, in seq order; lists hooks without secrets", async () => {
    const secret = "a-receiver-chosen-secret";
    const { room, hook } = await hookedRoom("/order", secret);
    assert.equal(hook.secret, secret);
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push(await amy().publish(room, { text: `m${i}` }));
    seqs.push(await amy().publish(room, { upTo: seqs[4]! }, "receipt"));
    await receiver.until(() => receiver.at("/order").length >= 6, "6 deliveries");
    const got = receiver.at("/order");
    assert.deepEqual(deliveredSeqs(got), seqs);
    for (const h of got) {
      const event = JSON.parse(h.rawBody) as RoomEvent;
      assert.ok(signatureValid(h, secret), "signature verifies");
      assert.ok(!signatureValid(h, "another-secret-entirely"), "and only with the secret");
      assert.equal(h.headers["parley-webhook-id"], hook.id);
      assert.equal(h.headers["parley-event-id"], event.id);
      assert.equal(h.headers["content-type"], "application/json");
      assert.equal(event.room, room);
    }
    const list = await amy().call<{ webhooks: Record<string, unknown>[] }>("GET", `/v1/rooms/${room}/webhooks`);
    assert.equal(list.body.webhooks.length, 1);
    assert.equal(list.body.webhooks[0]!.secret, undefined);
    assert.equal(list.body.webhooks[0]!.deliveredSeq, seqs.at(-1));
  });

  it("retries after a 500 and keeps the order", async () => {
    const { room, hook } = await hookedRoom("/retry");
    receiver.failures = 2;
    const first = await amy().publish(room, { text: "first" });
    const second = await amy().publish(room, { text: "second" });
    await receiver.until(() => deliveredSeqs(receiver.at("/retry")).length === 2, "both delivered");
    const got = receiver.at("/retry");
    assert.deepEqual(
      got.map((h) => [h.status, (JSON.parse(h.rawBody) as RoomEvent).seq]),
      [
        [500, first],
        [500, first],
        [200, first],
        [200, second],
      ],
    );
    assert.ok(got.every((h) => signatureValid(h, hook.secret)));
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    assert.match(metrics, /parley_webhook_attempts_total\{outcome="failed"\} [1-9]/);
  });

  it("marks a hook failing after its attempts, pauses, and recovers without skipping", async () => {
    const { room } = await hookedRoom("/failing");
    receiver.failures = 4; // 3 attempts, a pause, then one more failure before it heals
    const seq = await amy().publish(room, { text: "eventually" });
    await receiver.until(() => receiver.at("/failing").length >= 3, "3 attempts");
    const listed = await amy().call<{ webhooks: { failing: boolean; lastError?: string }[] }>(
      "GET",
      `/v1/rooms/${room}/webhooks`,
    );
    assert.equal(listed.body.webhooks[0]!.failing, true);
    assert.equal(listed.body.webhooks[0]!.lastError, "HTTP 500");
    await receiver.until(() => deliveredSeqs(receiver.at("/failing")).length === 1, "delivered after the pause");
    assert.deepEqual(deliveredSeqs(receiver.at("/failing")), [seq]);
    const healed = await amy().call<{ webhooks: { failing: boolean }[] }>("GET", `/v1/rooms/${room}/webhooks`);
    assert.equal(healed.body.webhooks[0]!.failing, false);
  });

  it("resumes after kill -9 from the persisted position: nothing lost, order kept", async () => {
    const { room } = await hookedRoom("/resume");
    const before = [await amy().publish(room, { text: "a" }), await amy().publish(room, { text: "b" })];
    await receiver.until(() => deliveredSeqs(receiver.at("/resume")).length === 2, "first two");
    receiver.failures = 1_000_000;
    const during = [await amy().publish(room, { text: "c" }), await amy().publish(room, { text: "d" })];
    await receiver.until(() => receiver.at("/resume").some((h) => h.status === 500), "a failing attempt");
    await server.kill9();
    receiver.failures = 0;
    await server.restart();
    const afterRestart = await amy().publish(room, { text: "e" });
    await receiver.until(() => deliveredSeqs(receiver.at("/resume")).length === 5, "all five");
    assert.deepEqual(deliveredSeqs(receiver.at("/resume")), [...before, ...during, afterRestart]);
  });

  it("stops delivering once deleted; a second delete is 404", async () => {
    const { room, hook } = await hookedRoom("/deleted");
    const del = await amy().call("DELETE", `/v1/rooms/${room}/webhooks/${hook.id}`);
    assert.deepEqual(del, { status: 200, body: { id: hook.id, deleted: true } });
    assert.equal((await amy().call("DELETE", `/v1/rooms/${room}/webhooks/${hook.id}`)).status, 404);
    const { room: other } = await hookedRoom("/control");
    await amy().publish(room, { text: "nobody listens" });
    await amy().publish(other, { text: "barrier" });
    await receiver.until(() => receiver.at("/control").length === 1, "the control hook");
    assert.equal(receiver.at("/deleted").length, 0);
  });
});
