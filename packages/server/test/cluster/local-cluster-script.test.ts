/**
 * scripts/local-cluster.sh, run for real on the test broker and a fresh
 * PostgreSQL database: the node counts it is given, "cluster up" only once
 * every gateway serves, no token hint in dev mode, and everything stopped on
 * SIGTERM.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { uniqueCmid, uniqueRoom } from "../support/fixtures.js";
import { createTestDatabase, dropTestDatabase } from "../support/cluster-fixture.js";
import { testPostgresUrl } from "../support/postgres-test-db.js";
import { RawClient } from "../support/raw-client.js";
import { deleteTestTopics, testCluster } from "../support/test-kafka.js";

const SCRIPT = fileURLToPath(new URL("../../../../scripts/local-cluster.sh", import.meta.url));

/** The script's environment without the test runner's marker or any PARLEY_* setting of the caller. */
function scriptEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PARLEY_") || key === "NODE_TEST_CONTEXT") delete env[key];
  return { ...env, PARLEY_SKIP_BUILD: "1", ...extra };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** The lowest port the kernel hands out as the local end of outgoing connections. */
function ephemeralLow(): number {
  const range = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
  return Number(range[0]);
}

/**
 * `count` consecutive free ports (the script puts gateways on consecutive ports), below the
 * ephemeral range: a port in it can be taken, between this check and the gateway's bind, as
 * the local end of any outgoing connection of the suite's other tests (seen in CI: a gateway
 * exited at start).
 */
async function freePorts(count: number): Promise<number> {
  const high = ephemeralLow() - count;
  for (;;) {
    const first = 10_000 + Math.floor(Math.random() * (high - 10_000));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(first + i)));
    if (free.every(Boolean)) return first;
  }
}

/** Resolves with the script's stderr up to and including the first line matching `pattern`. */
function stderrUntil(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited (code ${code}) before ${pattern}:\n${text}`)));
  });
}

describe("scripts/local-cluster.sh", { timeout: 150_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("refuses a bad node count before starting anything", () => {
    for (const args of [["--gateways", "0"], ["--sequencers"], ["--gateways", "two"]]) {
      const r = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: scriptEnv({}), timeout: 10_000 });
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, new RegExp(`${args[0]} needs a positive number`));
    }
  });

  it("--gateways 2 --sequencers 1 --dev: says cluster up only once both gateways serve, then stops everything on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-local-cluster-test-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const adminUrl = testPostgresUrl();
    const { database, url } = await createTestDatabase(adminUrl);
    cleanups.push(() => dropTestDatabase(adminUrl, database));
    const cluster = testCluster("script", 2);
    cleanups.push(() => deleteTestTopics(cluster));
    const port = await freePorts(2);
    const args = ["--gateways", "2", "--sequencers", "1", "--first-port", String(port), "--dev"];
    args.push("--topic-prefix", cluster.topicPrefix!, "--topic-partitions", "2", "--host", "127.0.0.1");
    const env = { PARLEY_CLUSTER_DIR: dir, PARLEY_CLUSTER_KAFKA: cluster.brokers.join(","), PARLEY_TEST_PG_URL: url };
    // Its own process group: whatever happens, the script and every node it started are killed at the end.
    const script = spawn("bash", [SCRIPT, ...args], {
      env: scriptEnv(env),
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => script.once("exit", (code) => resolve(code)));
    cleanups.push(() => {
      if (script.exitCode === null) process.kill(-script.pid!, "SIGKILL");
    });

    const said = await stderrUntil(script, /cluster up/, 120_000);
    // Ready means serving now: both gateways answer /readyz and carry a publish from one to the other at once.
    for (const p of [port, port + 1]) assert.equal((await fetch(`http://127.0.0.1:${p}/readyz`)).status, 200);
    const [a, b] = await Promise.all(
      [port, port + 1].map((p) => RawClient.connect(`ws://127.0.0.1:${p}/v1/ws`, { user: "u" })),
    );
    cleanups.push(() => [a, b].forEach((c) => c!.terminate()));
    const room = uniqueRoom("script");
    await b!.expect({ t: "sub", room }, "subscribed");
    await a!.expect({ t: "pub", room, cmid: uniqueCmid(), body: { hi: 1 } }, "ack", 20_000);
    assert.equal((await b!.waitForEvents(room, 1, 20_000)).length, 1);

    assert.doesNotMatch(said, /mint a token/, "no token hint in dev mode");
    const logs = readdirSync(dir)
      .filter((f) => f.endsWith(".log"))
      .sort();
    assert.deepEqual(logs, ["gateway-1.log", "gateway-2.log", "sequencer-1.log", "sink.log"]);

    process.kill(script.pid!, "SIGTERM");
    assert.equal(await exited, 0);
    for (const p of [port, port + 1]) assert.ok(await portFree(p), `gateway on ${p} stopped`);
  });
});
