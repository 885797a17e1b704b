/**
 * The Bridge in process, on the test broker, with a publisher whose answers
 * the test chooses: a transient failure (UNAVAILABLE) is retried on the same
 * record, holding the records behind it, and never dead-lettered; a stopped
 * bridge has committed what it handled, so the next one on the same group
 * starts after it. Its lag per partition is `parley_consumer_lag{consumer="bridge"}`.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ParleyError, type Json } from "@parley/protocol";
import { Bridge } from "#server/bridge/bridge.js";
import { silentLogger } from "#server/logger.js";
import { Metrics } from "#server/metrics/metrics.js";
import type { PublishCommand } from "#server/log/event-log.js";
import type { Publisher } from "#server/policy/publish.js";
import { kcatProduce, kcatRead } from "../support/kcat.js";
import { createTestTopics, testBrokers, uniquePrefix } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

/** A publisher that records each command and fails the first `failures` tries of each text in `failing`. */
function scriptedPublisher(failing: Map<string, number>) {
  const published: PublishCommand[] = [];
  let tries = 0;
  const publisher: Pick<Publisher, "publish"> = {
    publish: ({ command }) => {
      tries++;
      const text = (command.body as { text: string }).text;
      const left = failing.get(text) ?? 0;
      if (left > 0) {
        failing.set(text, left - 1);
        return Promise.reject(new ParleyError("UNAVAILABLE", "the log is away"));
      }
      published.push(command);
      const event = {
        ...command,
        seq: published.length,
        id: `e${published.length}`,
        ts: 0,
        body: command.body as Json,
      };
      return Promise.resolve({ event, duplicate: false });
    },
  };
  return { publisher, published, tries: () => tries };
}

describe("the bridge service", { timeout: 120_000 }, () => {
  const brokers = testBrokers();
  const prefix = uniquePrefix("bridge-svc");
  const topic = `${prefix}src`;
  const settings = {
    brokers,
    group: `${prefix}bridge`,
    mappings: [{ topic, room: { from: "key" as const }, kind: "message", author: "bot" }],
    deadLetterTopic: `${prefix}dead-letters`,
    partitions: 1,
    replication: 1,
    sessionTimeoutMs: 3_000,
  };
  const bridges: Bridge[] = [];
  after(() => Promise.all(bridges.map((b) => b.stop())));
  const metrics = new Metrics(false);
  const start = async (publisher: Pick<Publisher, "publish">) => {
    const bridge = new Bridge({ settings, publisher, logger: silentLogger(), metrics });
    bridges.push(bridge);
    await bridge.start();
    return bridge;
  };
  const texts = (commands: readonly PublishCommand[]) => commands.map((c) => (c.body as { text: string }).text);

  it("retries a transient failure on the same record, holding the ones behind it, and dead-letters nothing", async () => {
    await createTestTopics(brokers, [topic], 1);
    const values = ["a", "b", "c"].map((text) => ({ partition: 0, key: "room-1", value: JSON.stringify({ text }) }));
    await kcatProduce(brokers.join(","), topic, values);
    const script = scriptedPublisher(new Map([["a", 3]]));
    const bridge = await start(script.publisher);
    await waitUntil(() => script.published.length === 3, "three records published");
    assert.deepEqual(texts(script.published), ["a", "b", "c"], "b and c waited for a");
    assert.equal(script.tries(), 6, "a three times more, never b or c before it");
    assert.deepEqual(
      script.published.map((c) => c.cmid),
      [0, 1, 2].map((o) => script.published[0]!.cmid.replace(/:0$/, `:${o}`)),
      "one cmid per offset",
    );
    await waitUntil(async () => (await bridgeLag(metrics)).get("0") === 0, "a lag of 0 on partition 0");
    await bridge.stop();
    assert.deepEqual(await kcatRead(brokers.join(","), settings.deadLetterTopic), []);
  });

  it("starts after what a stopped bridge of the same group committed", async () => {
    await kcatProduce(brokers.join(","), topic, [
      { partition: 0, key: "room-1", value: JSON.stringify({ text: "d" }) },
    ]);
    const script = scriptedPublisher(new Map());
    await start(script.publisher);
    await waitUntil(() => script.published.length >= 1, "the next record");
    assert.deepEqual(texts(script.published), ["d"]);
  });
});

/** The bridge's `parley_consumer_lag` by partition, as a scrape reads it. */
async function bridgeLag(metrics: Metrics): Promise<Map<string, number>> {
  const { values } = await metrics.registry.getSingleMetric("parley_consumer_lag")!.get();
  return new Map(
    values.filter((v) => v.labels.consumer === "bridge").map((v) => [String(v.labels.partition), v.value]),
  );
}
