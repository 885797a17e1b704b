import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { JwtAuthenticator } from "#server/auth/jwt-authenticator.js";
import { readSecretFile } from "#server/auth/secret-file.js";
import { findWebApp, NO_WEB_APP, WEB_APP_BESIDE } from "#server/http/static-files.js";

const MAIN = fileURLToPath(import.meta.resolve("#server/cli/main.js"));
const dir = mkdtempSync(join(tmpdir(), "parley-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PARLEY_")) delete env[key];
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("parley CLI", () => {
  it("prints help and version", () => {
    const help = run("--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: parley <command>/);
    const start = run("start", "--help");
    assert.equal(start.status, 0);
    assert.match(start.stdout, /--heartbeat-timeout-ms <int>/);
    assert.match(start.stdout, /PARLEY_DATA_DIR/);
    assert.match(run("token", "--help").stdout, /--user <id>/);
    assert.match(
      run("token", "--help").stdout,
      /Capabilities:\s+subscribe, publish, presence, history, edit, delete,\s+delete_any, react, \*/,
    );
    assert.match(run("--version").stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("exits 2 with a clear message on unknown commands, flags and bad values", () => {
    for (const [args, message] of [
      [["frobnicate"], /unknown command "frobnicate"/],
      [["start", "--frob"], /unknown option --frob/],
      [["start", "--port", "x"], /--port: expected a non-negative integer/],
      [["token"], /--user is required/],
      [["token", "--user", "a", "--frob", "1"], /unknown token option --frob/],
      [["token", "--user", "a", "--jwt-secret", "s", "--ttl", "soon"], /invalid ttl/],
    ] as const) {
      const r = run(...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, message);
    }
  });

  it("refuses cluster options without --kafka instead of running independent embedded servers", () => {
    const pg = "postgres://nobody@127.0.0.1:1/parley";
    for (const [args, message] of [
      [["--postgres", pg, "--role", "gateway"], /--role gateway needs --kafka <brokers>: without it .*embedded mode/],
      [["--role", "sequencer"], /--role sequencer needs --kafka/],
      [["--postgres", pg], /--postgres needs --kafka <brokers>/],
    ] as const) {
      const r = run("start", "--port", "0", "--data-dir", join(dir, "stray"), ...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, message);
    }
  });

  it("refuses a bad inbound bridge configuration before anything opens", () => {
    for (const [args, message] of [
      [["--bridge-topics", "orders room=value author=bot", "--bridge-brokers", "127.0.0.1:1"], /room=value is not key/],
      [["--bridge-topics", "orders room=key author=bot"], /bridgeTopics needs Kafka brokers/],
      [["--bridge-brokers", "127.0.0.1:1"], /bridgeBrokers is set but bridgeTopics maps no topic/],
    ] as const) {
      const r = run("start", "--port", "0", "--data-dir", join(dir, "bridge"), ...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, message);
    }
  });

  it("refuses a cluster gateway without shared token keys, which would invent a secret of its own", () => {
    // Nothing is contacted: the check runs before the node starts, so these addresses are never dialled.
    const cluster = ["--kafka", "127.0.0.1:1", "--postgres", "postgres://nobody@127.0.0.1:1/parley"];
    for (const role of ["gateway", "all"]) {
      const r = run("start", ...cluster, "--role", role, "--data-dir", join(dir, "gw"));
      assert.equal(r.status, 2, role);
      assert.match(r.stderr, new RegExp(`--role ${role} needs token keys shared by every gateway: --jwt-secret`));
      assert.match(r.stderr, /its tokens fail on the others/);
    }
  });

  it("mints a token with --jwt-secret that verifies, with default and explicit caps", async () => {
    const r = run("token", "--user", "alice", "--jwt-secret", "cli-secret", "--ttl", "10m");
    assert.equal(r.status, 0, r.stderr);
    const auth = await JwtAuthenticator.create({ secret: "cli-secret" });
    const p = await auth.authenticate({ token: r.stdout.trim() });
    const userCaps = ["subscribe", "publish", "presence", "history", "edit", "delete", "react"];
    assert.deepEqual([p.user, p.caps], ["alice", { "*": userCaps }], "no moderation (delete_any) by default");
    assert.equal(r.stderr, `parley token: alice for 10m, caps ${JSON.stringify({ "*": userCaps })}\n`);
    const caps = run("token", "--user", "bob", "--jwt-secret", "cli-secret", "--caps", '{"room-*":["subscribe"]}');
    assert.deepEqual((await auth.authenticate({ token: caps.stdout.trim() })).caps, { "room-*": ["subscribe"] });
    assert.match(caps.stderr, /caps \{"room-\*":\["subscribe"\]\}/);
  });

  it("makes server keys: the credential on stdout, the entry on stderr or added to --file, which ServerKeys accepts", () => {
    const shown = run("server-key", "--id", "billing-1", "--scopes", "api,admin");
    assert.equal(shown.status, 0, shown.stderr);
    const credential = shown.stdout.trim();
    assert.match(credential, /^billing-1\.[A-Za-z0-9_-]{43}$/);
    const entry = JSON.parse(shown.stderr.split("\n")[1] ?? "") as { id: string; sha256: string; scopes: string[] };
    assert.deepEqual([entry.id, entry.scopes], ["billing-1", ["api", "admin"]]);
    assert.equal(
      entry.sha256,
      createHash("sha256")
        .update(credential.split(".")[1] ?? "")
        .digest("hex"),
    );
    const file = join(dir, "keys.json");
    for (const id of ["a", "b"]) assert.equal(run("server-key", "--id", id, "--file", file).status, 0);
    const second = run("server-key", "--id", "b", "--file", file);
    assert.equal(second.status, 2);
    assert.match(second.stderr, /already has a key b/);
    const keys = JSON.parse(readFileSync(file, "utf8")) as { keys: Array<{ id: string; scopes: string[] }> };
    assert.deepEqual(
      keys.keys.map((k) => [k.id, k.scopes]),
      [
        ["a", ["api"]],
        ["b", ["api"]],
      ],
    );
    for (const [args, message] of [
      [[], /--id is required/],
      [["--id", "x", "--scopes", "root"], /unknown scope "root"/],
      [["--id", "x", "--frob"], /unknown server-key option --frob/],
    ] as const) {
      const r = run("server-key", ...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, message);
    }
    assert.match(run("help", "server-key").stdout, /--scopes <list>/);
  });

  it("fails clearly when --data-dir has no secret yet", () => {
    const r = run("token", "--user", "alice", "--data-dir", join(dir, "empty"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no secret/);
  });

  it("says which port is taken, and warns about an HS256 secret shorter than 256 bits", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      const args = ["start", "--port", port, "--host", "127.0.0.1", "--data-dir", join(dir, "busy")];
      const r = run(...args, "--jwt-secret", "short-secret");
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`port ${port} is in use; pick another with --port`));
      assert.match(r.stdout, /jwtSecret is shorter than 32 bytes/);
      assert.doesNotMatch(run(...args, "--jwt-secret", "x".repeat(32)).stdout, /shorter than/);
    } finally {
      taken.close();
    }
  });

  it("starts with no auth configured, generates secret.key, logs listening on port 0, and stops on SIGTERM", async () => {
    const dataDir = join(dir, "noauth");
    const child = spawn(process.execPath, [MAIN, "start", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir]);
    const lines: Record<string, unknown>[] = [];
    let buffer = "";
    const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
          const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
          buffer = buffer.slice(nl + 1);
          lines.push(line);
          if (line.msg === "listening") resolve(line);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    const line = await listening;
    assert.equal(typeof line.port, "number");
    assert.equal(line.url, `http://127.0.0.1:${line.port}`);
    assert.ok(lines.some((l) => String(l.msg).includes("parley token")));
    const secret = readSecretFile(dataDir);
    assert.ok(secret);
    const token = run("token", "--user", "alice", "--data-dir", dataDir).stdout.trim();
    const res = await fetch(`${line.url}/v1/rooms`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });

  it("finds the built web app beside the server for `parley start` without --web-root, or says how to get one", () => {
    const empty = join(dir, "web-empty");
    const built = join(dir, "web-built");
    mkdirSync(empty, { recursive: true });
    mkdirSync(built, { recursive: true });
    writeFileSync(join(built, "index.html"), "<div id=root></div>");
    assert.equal(findWebApp([empty, join(dir, "missing"), built]), built);
    assert.equal(findWebApp([empty]), undefined);
    assert.ok(
      WEB_APP_BESIDE.some((d) => d.endsWith(join("apps", "web", "dist") + "/")),
      "the monorepo's build",
    );
    assert.match(NO_WEB_APP, /--web-root/);
  });
});
