#!/usr/bin/env node
/**
 * The echo bot: reads Parley's events topic (docs/kafka.md) and answers `!echo <text>` in the room
 * through the server API (`@parley/client/server`, docs/server-api.md). Configuration from the
 * environment; see README.md.
 */
import { ParleyError, ParleyServerClient } from "@parley/client/server";
import type { RoomEvent } from "@parley/protocol";
import { answerTo } from "./echo.js";
import { EventsReader } from "./events-reader.js";

/** The bot's settings, from the environment. */
export interface EchoBotConfig {
  readonly parleyUrl: string;
  readonly serverKey: string;
  readonly brokers: string[];
  readonly topicPrefix: string;
  readonly user: string;
  readonly group: string;
  readonly start: "latest" | "earliest";
}

function configFrom(env: NodeJS.ProcessEnv): EchoBotConfig {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`echo-bot: set ${name} (see examples/echo-bot/README.md)`);
    return value;
  };
  const user = env.ECHO_BOT_USER ?? "echo-bot";
  return {
    parleyUrl: need("PARLEY_URL"),
    serverKey: need("PARLEY_SERVER_KEY"),
    brokers: need("KAFKA_BROKERS").split(","),
    topicPrefix: env.PARLEY_TOPIC_PREFIX ?? "parley.",
    user,
    group: env.ECHO_BOT_GROUP ?? user,
    start: env.ECHO_BOT_START === "earliest" ? "earliest" : "latest",
  };
}

const RETRY_MS = 500;

/** Publishes the answer to `event`, if any: retryable failures are retried (same cmid), others logged and skipped. */
async function answer(api: ParleyServerClient, config: EchoBotConfig, event: RoomEvent): Promise<void> {
  const reply = answerTo(event, config.user);
  if (!reply) return;
  for (;;) {
    try {
      const { seq, dup } = await api.publish(event.room, reply);
      console.log(JSON.stringify({ msg: "answered", room: event.room, command: event.seq, seq, dup }));
      return;
    } catch (err) {
      if (!(err instanceof ParleyError) || !err.retryable) {
        // A private room the bot is not in, a deleted room: nothing a retry would change.
        console.log(JSON.stringify({ msg: "not answered", room: event.room, error: String(err) }));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

async function main(): Promise<void> {
  const config = configFrom(process.env);
  const api = new ParleyServerClient({ url: config.parleyUrl, key: config.serverKey });
  const reader = new EventsReader({
    brokers: config.brokers,
    topic: `${config.topicPrefix}events`,
    group: config.group,
    start: config.start,
    onEvent: (event) => answer(api, config, event),
    log: (message) => console.log(JSON.stringify({ msg: message })),
  });
  await reader.start();
  console.log(JSON.stringify({ msg: "echo bot ready", user: config.user, group: config.group }));
  const stop = (): void => void reader.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
