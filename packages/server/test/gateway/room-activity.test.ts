/** RoomActivity: events per second per room over the last five seconds, quiet rooms dropped. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RoomActivity } from "#server/gateway/room-activity.js";

test("rates over a five-second window, busiest first, forgotten once quiet", () => {
  const clock = { now: 1_000_000 };
  const activity = new RoomActivity(() => clock.now);
  for (let i = 0; i < 10; i++) activity.record("busy");
  activity.record("calm");
  assert.deepEqual(activity.busiest(10), [
    { room: "busy", perSecond: 2 },
    { room: "calm", perSecond: 0.2 },
  ]);
  assert.deepEqual(activity.busiest(1), [{ room: "busy", perSecond: 2 }]);
  clock.now += 3_000;
  for (let i = 0; i < 5; i++) activity.record("calm");
  assert.deepEqual(activity.busiest(10), [
    { room: "busy", perSecond: 2 },
    { room: "calm", perSecond: 1.2 },
  ]);
  clock.now += 2_000; // busy's second left the window
  assert.deepEqual(activity.busiest(10), [{ room: "calm", perSecond: 1 }]);
  clock.now += 10_000;
  assert.deepEqual(activity.busiest(10), []);
});
