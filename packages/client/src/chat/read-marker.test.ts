import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeTimers } from "../test-support/fake-timers.js";
import { ReadMarker } from "./read-marker.js";

function setup() {
  const timers = new FakeTimers();
  const sent: number[] = [];
  const replies: Array<{ ok: () => void; fail: () => void }> = [];
  const marker = new ReadMarker({
    timers,
    send: (upTo) => {
      sent.push(upTo);
      return new Promise<void>((ok, fail) => replies.push({ ok, fail: () => fail(new Error("refused")) }));
    },
  });
  return { timers, sent, replies, marker };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test("the first mark is sent at once; later ones wait for the ack and the interval and collapse into the highest", async () => {
  const { timers, sent, replies, marker } = setup();
  marker.mark(3);
  assert.deepEqual(sent, [3]);
  marker.mark(5);
  marker.mark(4);
  marker.mark(7);
  assert.deepEqual(sent, [3], "one in flight");
  replies[0]!.ok();
  await flush();
  assert.deepEqual(sent, [3], "not within a second");
  timers.advance(999);
  assert.deepEqual(sent, [3]);
  timers.advance(1);
  assert.deepEqual(sent, [3, 7]);
  replies[1]!.ok();
  await flush();
  assert.equal(marker.position, 7);
});

test("never a receipt at or below a position already read, here or elsewhere", async () => {
  const { timers, sent, replies, marker } = setup();
  marker.known(10);
  marker.mark(10);
  marker.mark(4);
  assert.deepEqual(sent, []);
  marker.mark(11);
  replies[0]!.ok();
  await flush();
  timers.advance(5000);
  marker.mark(11);
  marker.known(20);
  marker.mark(15);
  assert.deepEqual(sent, [11]);
  assert.equal(timers.pending, 0);
});

test("a refused receipt is not retried by itself; a later mark is sent", async () => {
  const { timers, sent, replies, marker } = setup();
  marker.mark(9);
  replies[0]!.fail();
  await flush();
  timers.advance(2000);
  assert.deepEqual(sent, [9]);
  assert.equal(marker.position, 0);
  marker.mark(12);
  assert.deepEqual(sent, [9, 12]);
  replies[1]!.ok();
  await flush();
  assert.equal(marker.position, 12);
});
