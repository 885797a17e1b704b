import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { defaultConfig } from "#server/config/options.js";
import { silentLogger } from "#server/logger.js";
import { Metrics } from "#server/metrics/metrics.js";
import { buildRouter } from "#server/http/app.js";
import type { HttpContext } from "#server/http/context.js";
import { Router } from "#server/http/router.js";
import { safeJoin } from "#server/http/static-files.js";

const noop = (_req: IncomingMessage, _res: ServerResponse): void => {};

describe("Router", () => {
  const router = new Router()
    .add("GET", "/v1/rooms/public", noop)
    .add("GET", "/v1/rooms/{room}", noop)
    .add("POST", "/v1/rooms/{room}/messages", noop);

  it("matches literal segments before parameters, and decodes parameters", () => {
    const m = router.match("GET", "/v1/rooms/dm%3Aa%3Ab");
    assert.equal(m.kind, "found");
    assert.deepEqual(m.kind === "found" && m.params, { room: "dm:a:b" });
    const pub = router.match("GET", "/v1/rooms/public");
    assert.deepEqual(pub.kind === "found" && pub.params, {});
  });

  it("tells a wrong method from an unknown path, and serves HEAD from GET", () => {
    assert.deepEqual(router.match("DELETE", "/v1/rooms/x/messages"), { kind: "method-not-allowed", allow: ["POST"] });
    assert.equal(router.match("GET", "/v1/nothing").kind, "none");
    assert.equal(router.match("GET", "/v1/rooms/").kind, "none");
    assert.equal(router.match("GET", "/v1/rooms/%E0%A4%A").kind, "none");
    assert.equal(router.match("HEAD", "/v1/rooms/x").kind, "found");
  });
});

describe("docs/openapi.json", () => {
  it("describes every route the server registers", () => {
    const doc = JSON.parse(readFileSync(new URL("../../../../docs/openapi.json", import.meta.url), "utf8")) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\.1\./);
    assert.ok(doc.components.schemas.Error && doc.components.securitySchemes.bearer);
    const ctx = {
      config: defaultConfig(),
      logger: silentLogger(),
      gateway: { stats: () => ({}) },
    } as unknown as HttpContext;
    const routes = buildRouter(ctx, { started: true, draining: false }, new Metrics(false)).routes();
    assert.equal(routes.length, 43);
    for (const { method, path } of routes) {
      assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} is missing from docs/openapi.json`);
    }
    // And nothing documented that does not exist (the WebSocket upgrade is handled outside the router).
    const registered = new Set(routes.map((r) => `${r.method} ${r.path}`).concat("GET /v1/ws"));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops))
        assert.ok(registered.has(`${method.toUpperCase()} ${path}`), `${method} ${path}`);
    }
  });
});

describe("safeJoin", () => {
  it("keeps paths inside the root", () => {
    assert.equal(safeJoin("/srv/web", "/app/main.js"), "/srv/web/app/main.js");
    assert.equal(safeJoin("/srv/web", "/"), "/srv/web");
    for (const evil of [
      "/../etc/passwd",
      "/%2e%2e/etc/passwd",
      "/a/../../etc",
      "/..%2fetc",
      "/x%00.html",
      "/..\\etc",
      "/%E0%A4%A",
    ]) {
      assert.equal(safeJoin("/srv/web", evil), undefined, evil);
    }
  });
});
