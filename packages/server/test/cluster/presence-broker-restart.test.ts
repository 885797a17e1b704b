/**
 * The presence link keeps hearing the other gateways across a broker
 * restart. Its message stream dies with a fetch that failed past its retries;
 * before it was reopened (ResumingStream), a gateway stayed deaf after the
 * restart: no URL for a newer gateway, so every SSE POST for a session there
 * was answered 404 and SSE clients behind a balancer could not publish (the
 * redistributed cluster chaos run's broker restart found it). Runs its OWN
 * broker, so the shared one is never restarted; fails, never skips, when it
 * cannot start.
 */
import { after, before, test } from "node:test";
import { PresenceLink } from "#server/cluster/presence-link.js";
import { silentLogger } from "#server/logger.js";
import { OwnBroker, uniquePrefix } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

let broker: OwnBroker | undefined;
before(async () => {
  broker = await OwnBroker.start();
});
after(async () => {
  await broker?.purge();
});

test("after a broker restart, a gateway learns a URL another gateway announces", { timeout: 240_000 }, async () => {
  const topicPrefix = uniquePrefix("presence-restart");
  const link = () =>
    new PresenceLink({ brokers: [broker!.bootstrap], topicPrefix, logger: silentLogger(), heartbeatMs: 200 });
  const [speaker, listener] = [link(), link()];
  try {
    await Promise.all([speaker.start(), listener.start()]);
    speaker.advertise("http://127.0.0.1:1001");
    const heard = (url: string) => () => listener.nodes.urlOf(speaker.nodeId) === url;
    await waitUntil(heard("http://127.0.0.1:1001"), "the first URL to be heard", 30_000);
    await broker!.restart();
    // A gateway restarted elsewhere meanwhile announces itself anew: the listener must hear it.
    speaker.advertise("http://127.0.0.1:1002");
    await waitUntil(heard("http://127.0.0.1:1002"), "the URL announced after the restart to be heard", 60_000);
  } finally {
    await Promise.all([speaker.stop(), listener.stop()]);
  }
});
