/**
 * The example consumer (examples/echo-bot) against a real cluster: it reads the events topic as
 * docs/kafka.md tells outside readers to, and answers `!echo <text>` through the server API. Each
 * command gets exactly one answer, and the bot never answers itself; a second run that reads the
 * whole topic again (a fresh group from the earliest offset, as after lost offsets) answers every
 * command again under the same cmid, which the server deduplicates: still one answer each.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { EventFrame } from "@parley/protocol";
import { publish, subscribe } from "../support/fixtures.js";
import { TestCluster } from "../support/cluster-fixture.js";
import { EchoBotProcess } from "../support/echo-bot-process.js";
import { KeysFile, testKey } from "../support/server-keys.js";
import { waitUntil } from "../support/wait.js";

describe("echo bot against a cluster", { timeout: 180_000 }, () => {
  const keys = new KeysFile();
  const key = testKey("echo-bot-key");
  keys.write([key.entry]);
  let cluster: TestCluster;
  const bots: EchoBotProcess[] = [];
  before(async () => {
    cluster = await TestCluster.start({ gateways: 2, sequencers: 1, args: ["--server-keys-file", keys.path] });
  });
  after(async () => {
    for (const bot of bots) await bot.cleanup();
    await cluster?.dispose();
    keys.cleanup();
  });

  /** A bot run reading from the earliest offset under `group`, answering through gateway 0. */
  const startBot = async (group: string): Promise<EchoBotProcess> => {
    const bot = new EchoBotProcess({
      PARLEY_URL: cluster.gateways[0]?.httpUrl ?? "",
      PARLEY_SERVER_KEY: key.credential,
      KAFKA_BROKERS: cluster.config.kafka,
      PARLEY_TOPIC_PREFIX: cluster.config.topicPrefix,
      ECHO_BOT_GROUP: group,
      ECHO_BOT_START: "earliest",
    });
    bots.push(bot);
    return bot.start();
  };

  it("answers each command once, in the room, as a reply; never itself; a full re-read answers nothing twice", async () => {
    await cluster.explained(async () => {
      const room = `echo-${randomUUID().slice(0, 8)}`;
      const gateway = cluster.gateways[1];
      assert.ok(gateway);
      const ann = await cluster.connect(gateway, "ann");
      await subscribe(ann, room);
      const bot = await startBot(`echo-${randomUUID()}`);
      const commands = [
        await publish(ann, room, { text: "!echo hello" }),
        await publish(ann, room, { text: "just chatting" }),
        await publish(ann, room, { text: "!echo second one" }),
      ];
      const answersIn = (frames: EventFrame[]) => frames.filter((e) => e.from === "echo-bot");
      await waitUntil(() => answersIn(ann.events(room)).length === 2, "two answers", 60_000);
      assert.deepEqual(
        answersIn(ann.events(room)).map((e) => e.body),
        [
          { text: "hello", replyTo: commands[0]?.seq },
          { text: "second one", replyTo: commands[2]?.seq },
        ],
      );
      await bot.stop();

      // A second run from the earliest offset under a new group handles every record again.
      const rerun = await startBot(`echo-${randomUUID()}`);
      await waitUntil(() => rerun.answered().filter((a) => a.room === room).length === 2, "the re-read", 60_000);
      assert.deepEqual(
        rerun
          .answered()
          .filter((a) => a.room === room)
          .map((a) => a.dup),
        [true, true],
        "the server recognised both answers (same cmid)",
      );
      // Barrier: a message after the re-read; once ann has it, a second answer would have come before it.
      await publish(ann, room, { text: "done" });
      await waitUntil(() => ann.events(room).some((e) => (e.body as { text?: string }).text === "done"), "barrier");
      assert.equal(answersIn(ann.events(room)).length, 2, "one answer per command, and none to the bot's own");
    })();
  });
});
