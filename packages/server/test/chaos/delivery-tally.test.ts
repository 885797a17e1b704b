/** The peer-comparison tally: lost acked messages and duplicate deliveries, by cmid. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tallyDeliveries } from "./delivery-tally.js";

test("counts acked messages missing at any subscriber once, and every extra delivery", () => {
  const acked = [
    { room: "a", cmid: "1" },
    { room: "a", cmid: "2" },
    { room: "b", cmid: "3" },
  ];
  const subscribers = [
    { room: "a", cmids: ["1", "2", "2"] },
    { room: "a", cmids: ["1"] },
    { room: "b", cmids: ["3", "3", "3", "unacked-but-delivered"] },
  ];
  assert.deepEqual(tallyDeliveries({ acked, subscribers }), { acked: 3, lost: 1, duplicated: 3 });
  assert.deepEqual(tallyDeliveries({ acked, subscribers: [] }), { acked: 3, lost: 0, duplicated: 0 });
});
