import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CENTRIFUGO_TOKEN_KEY } from "../wire/centrifugo-wire.js";
import { freePort, startNativeServer, type RunningSystem } from "./system.js";

/** Builds Centrifugo when missing and prints the binary's path; the version is pinned there. */
const ENSURE = fileURLToPath(new URL("../../../scripts/ensure-centrifugo.sh", import.meta.url));

/**
 * The config the bench runs Centrifugo with: memory engine, connection tokens signed with the wire's HMAC
 * key, channels without a namespace open to subscribe (any client) and publish (their subscribers), so the
 * generator publishes from its connections and gets a reply per publish, as from Parley. The HTTP API gets
 * a random key: the bench publishes from clients and never calls it, and nothing else should.
 */
export function centrifugoConfig(port: number): object {
  return {
    http_server: { address: "127.0.0.1", port },
    log: { level: "error" },
    engine: { type: "memory" },
    client: { token: { hmac_secret_key: CENTRIFUGO_TOKEN_KEY }, allowed_origins: ["*"] },
    channel: { without_namespace: { allow_subscribe_for_client: true, allow_publish_for_subscriber: true } },
    http_api: { key: randomBytes(16).toString("hex") },
    usage_stats: { disabled: true },
  };
}

/** Centrifugo 6 on loopback, built by scripts/ensure-centrifugo.sh on first use (a few minutes, once). */
export async function startCentrifugo(): Promise<RunningSystem> {
  const binary = execFileSync("bash", [ENSURE], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  const port = await freePort();
  const text = JSON.stringify(centrifugoConfig(port), null, 2);
  const config = { file: "config.json", text };
  return startNativeServer({ name: "centrifugo", binary, config, args: (c) => ["--config", c], port });
}
