import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { WebSocket } from "ws";
import { mintToken } from "#server/auth/mint-token.js";
import { defaultConfig, type ParleyConfig } from "#server/config/options.js";
import { addOpsRoutes, type Readiness } from "#server/http/ops-routes.js";
import { requestListener } from "#server/http/app.js";
import type { HttpContext } from "#server/http/context.js";
import { Router } from "#server/http/router.js";
import { silentLogger } from "#server/logger.js";
import { createParleyServer } from "#server/server.js";

const root = mkdtempSync(join(tmpdir(), "parley-server-"));
after(() => rmSync(root, { recursive: true, force: true }));

async function withServer(overrides: Partial<ParleyConfig>, fn: (url: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(root, "data-"));
  const config = { ...defaultConfig(), host: "127.0.0.1", port: 0, dataDir, dev: true, ...overrides };
  const server = createParleyServer(config, { logger: silentLogger() });
  const { url } = await server.start();
  try {
    await fn(url);
  } finally {
    await server.stop();
  }
}

describe("operations endpoints", () => {
  it("serves healthz, readyz, metrics and JSON 404s", async () => {
    await withServer({}, async (url) => {
      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
      const ready = await fetch(`${url}/readyz`);
      assert.deepEqual([ready.status, await ready.json()], [200, { status: "ready" }]);
      const metrics = await fetch(`${url}/metrics`);
      assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
      const text = await metrics.text();
      assert.match(text, /^parley_node_connections 0$/m);
      assert.match(text, /^parley_node_rooms 0$/m);
      assert.match(text, /parley_publishes_total|process_cpu/);
      const missing = await fetch(`${url}/nope`);
      assert.equal(missing.status, 404);
      assert.deepEqual(((await missing.json()) as { error: { code: string } }).error.code, "NOT_FOUND");
      const wrong = await fetch(`${url}/healthz`, { method: "DELETE" });
      assert.deepEqual([wrong.status, wrong.headers.get("allow")], [405, "GET, HEAD"]);
    });
  });

  it("omits /metrics when disabled", async () => {
    await withServer({ metrics: false }, async (url) => {
      assert.equal((await fetch(`${url}/metrics`)).status, 404);
    });
  });

  it("reports 503 from readyz while starting, degraded and draining", async () => {
    const state: Readiness = { started: false, draining: false };
    const router = new Router();
    addOpsRoutes(router, state, undefined);
    const ctx = { config: defaultConfig(), logger: silentLogger() } as unknown as HttpContext;
    const server = createServer(requestListener(ctx, router));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
    try {
      assert.deepEqual(await (await fetch(url)).json(), { status: "starting" });
      state.started = true;
      assert.equal((await fetch(url)).status, 200);
      let reading = false;
      state.ready = () => reading;
      const degraded = await fetch(url);
      assert.deepEqual([degraded.status, await degraded.json()], [503, { status: "degraded" }]);
      reading = true;
      assert.equal((await fetch(url)).status, 200);
      state.draining = true;
      const res = await fetch(url);
      assert.deepEqual([res.status, await res.json()], [503, { status: "draining" }]);
    } finally {
      server.close();
    }
  });
});

describe("WebSocket upgrade", () => {
  it("accepts /v1/ws and refuses other paths with 404", async () => {
    await withServer({}, async (url) => {
      const wsUrl = url.replace("http", "ws");
      const ok = new WebSocket(`${wsUrl}/v1/ws`);
      await new Promise<void>((resolve, reject) => ok.once("open", resolve).once("error", reject));
      ok.send(JSON.stringify({ t: "connect", id: 1, versions: [1], user: "alice" }));
      const connected = await new Promise<string>((resolve) => ok.once("message", (m) => resolve(String(m))));
      assert.equal(JSON.parse(connected).t, "connected");
      ok.close();
      const bad = new WebSocket(`${wsUrl}/elsewhere`);
      const status = await new Promise<number | undefined>((resolve) => {
        bad.once("unexpected-response", (_req, res) => resolve(res.statusCode));
        bad.once("error", () => resolve(undefined));
      });
      assert.equal(status, 404);
    });
  });
});

describe("dev mode REST", () => {
  it("accepts X-Parley-User", async () => {
    await withServer({}, async (url) => {
      const res = await fetch(`${url}/v1/rooms/dev-room/messages`, {
        method: "POST",
        headers: { "x-parley-user": "devon" },
        body: JSON.stringify({ cmid: "c1", body: "hello" }),
      });
      assert.equal(res.status, 201);
    });
  });

  it("still verifies bearer tokens with the configured secret", async () => {
    await withServer({ jwtSecret: "dev-and-jwt" }, async (url) => {
      const token = await mintToken({ secret: "dev-and-jwt", user: "tess", ttlSeconds: 60 });
      assert.equal((await fetch(`${url}/v1/rooms`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      const forged = await mintToken({ secret: "another", user: "tess", ttlSeconds: 60 });
      assert.equal((await fetch(`${url}/v1/rooms`, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
    });
  });
});

describe("REST CORS", () => {
  it("answers preflights and sets allow-origin only for allowed origins", async () => {
    await withServer({ allowedOrigins: ["https://app.example"] }, async (url) => {
      const preflight = await fetch(`${url}/v1/rooms`, {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "POST" },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
      assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
      // Every method a route answers, so a web app on another origin can remove members and rename rooms.
      const methods = (preflight.headers.get("access-control-allow-methods") ?? "").split(/,\s*/);
      for (const m of ["GET", "POST", "PATCH", "DELETE"]) assert.ok(methods.includes(m), `${m} in ${methods.join()}`);
      const get = await fetch(`${url}/v1/rooms`, { headers: { origin: "https://app.example", "x-parley-user": "o" } });
      assert.equal(get.headers.get("access-control-allow-origin"), "https://app.example");
      const other = await fetch(`${url}/v1/rooms`, {
        headers: { origin: "https://evil.example", "x-parley-user": "o" },
      });
      assert.equal(other.headers.get("access-control-allow-origin"), null);
    });
  });

  it("answers a plain GET of /v1/ws below 500, readable cross-origin: the clients' HTTP probe", async () => {
    await withServer({ allowedOrigins: ["https://app.example"] }, async (url) => {
      const probe = await fetch(`${url}/v1/ws`, { headers: { origin: "https://app.example" } });
      assert.ok(probe.status < 500, `status ${probe.status}`);
      assert.equal(probe.headers.get("access-control-allow-origin"), "https://app.example");
    });
  });
});

describe("REST rate limit", () => {
  it("shares the per-user publish bucket and answers 429 RATE_LIMITED", async () => {
    await withServer({ publishRatePerUser: 1 }, async (url) => {
      const post = (cmid: string) =>
        fetch(`${url}/v1/rooms/rl/messages`, {
          method: "POST",
          headers: { "x-parley-user": "speedy" },
          body: JSON.stringify({ cmid, body: 1 }),
        });
      const statuses = [(await post("a")).status, (await post("b")).status];
      const limited = await post("c");
      assert.deepEqual(statuses, [201, 201]);
      assert.equal(limited.status, 429);
      const body = (await limited.json()) as { error: { code: string; retryable: boolean } };
      assert.deepEqual(body.error.code, "RATE_LIMITED");
      assert.equal(body.error.retryable, true);
      assert.match(await (await fetch(`${url}/metrics`)).text(), /parley_publishes_total\{outcome="rate_limited"\} 1/);
    });
  });
});

describe("TLS", () => {
  it("serves HTTPS when tlsCert and tlsKey are set", async () => {
    const dir = mkdtempSync(join(root, "tls-"));
    const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
        ...["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
      ],
      { stdio: "ignore" },
    );
    await withServer({ tlsCert: cert, tlsKey: key }, async (url) => {
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${url}/healthz`, { ca: readFileSync(cert) }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString())).on("end", () => resolve(text));
        });
        req.on("error", reject).end();
      });
      assert.deepEqual(JSON.parse(body), { status: "ok" });
      await assert.rejects(fetch(`${url.replace("https", "http")}/healthz`));
    });
  });

  it("refuses a certificate without its key", async () => {
    const server = createParleyServer(
      { ...defaultConfig(), port: 0, dataDir: mkdtempSync(join(root, "d-")), dev: true, tlsCert: "x.pem" },
      { logger: silentLogger() },
    );
    await assert.rejects(server.start(), /tlsCert and tlsKey must be set together/);
    await server.stop();
  });
});

describe("static files", () => {
  it("serves webRoot with an index.html fallback and no traversal", async () => {
    const web = join(root, "web");
    mkdirSync(join(web, "assets"), { recursive: true });
    writeFileSync(join(web, "index.html"), "<h1>app</h1>");
    writeFileSync(join(web, "assets", "app.js"), "console.log(1)");
    writeFileSync(join(root, "secret.txt"), "top secret");
    await withServer({ webRoot: web }, async (url) => {
      const index = await fetch(`${url}/`);
      assert.deepEqual([index.status, await index.text()], [200, "<h1>app</h1>"]);
      const js = await fetch(`${url}/assets/app.js`);
      assert.match(js.headers.get("content-type") ?? "", /javascript/);
      assert.equal(await (await fetch(`${url}/rooms/general`)).text(), "<h1>app</h1>", "client-side route");
      assert.equal((await fetch(`${url}/assets/missing.js`)).status, 404);
      for (const evil of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt"]) {
        const body = await rawGet(url, evil);
        assert.ok(!body.includes("top secret"), evil);
      }
      assert.equal((await fetch(`${url}/v1/unknown`)).status, 404, "/v1 paths never fall back to the app");
    });
  });
});

/** GET with the path sent verbatim (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: "GET" }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString())).on("end", () => resolve(text));
    });
    req.on("error", reject).end();
  });
}

describe("graceful stop", () => {
  it("closes WebSocket clients with the retryable shutdown code and stops listening", async () => {
    const dataDir = mkdtempSync(join(root, "stop-"));
    const server = createParleyServer(
      { ...defaultConfig(), host: "127.0.0.1", port: 0, dataDir, dev: true },
      { logger: silentLogger() },
    );
    const { url } = await server.start();
    const ws = new WebSocket(`${url.replace("http", "ws")}/v1/ws`);
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(JSON.stringify({ t: "connect", id: 1, versions: [1], user: "alice" }));
    await new Promise((resolve) => ws.once("message", resolve));
    const closed = new Promise<number>((resolve) => ws.once("close", resolve));
    await server.stop();
    assert.equal(await closed, 4000);
    await assert.rejects(fetch(`${url}/healthz`));
    await server.stop(); // idempotent
  });
});
