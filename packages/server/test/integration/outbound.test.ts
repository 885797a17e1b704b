/**
 * Server-side request forgery through webhooks and Web Push, against real
 * server processes: by default no internal address in any spelling is
 * accepted, and where the operator allowed one, a hook's `lastError` does not
 * tell an open port from a closed one.
 */
import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { uniqueRoom } from "../support/fixtures.js";
import { LocalPushService } from "../support/push-service.js";
import { restAs } from "../support/rest-as.js";
import { ServerProcess } from "../support/server-process.js";

type ErrorBody = { error: { code: string; message: string } };
type HookList = { webhooks: { id: string; failing: boolean; lastError?: string }[] };

const INTERNAL_URLS = [
  "http://127.0.0.1:8080/x",
  "http://localhost:8080/x",
  "http://[::1]:8080/x",
  "http://169.254.169.254/latest/meta-data/",
  "http://0.0.0.0:8080/x",
  "http://2130706433:8080/x",
  "http://0x7f.1:8080/x",
  "http://10.0.0.1/x",
  "http://[fd00::1]/x",
  "http://100.64.0.1/x",
];

describe("outbound requests (SSRF)", () => {
  describe("by default", () => {
    let server: ServerProcess;
    let push: LocalPushService;
    const amy = () => restAs(server.httpUrl, "amy");
    before(async () => {
      push = await LocalPushService.start();
      server = await ServerProcess.start();
    });
    after(async () => {
      await server?.cleanup();
      await push?.stop();
    });

    it("refuses webhook URLs to loopback, link-local, private and unspecified addresses in every spelling", async () => {
      const room = uniqueRoom("ssrf");
      assert.equal((await amy().call("POST", "/v1/rooms", { id: room, type: "public", name: room })).status, 201);
      for (const url of INTERNAL_URLS) {
        const reply = await amy().call<ErrorBody>("POST", `/v1/rooms/${room}/webhooks`, { url });
        assert.equal(reply.status, 400, url);
        assert.equal(reply.body.error.code, "BAD_REQUEST");
        assert.match(reply.body.error.message, /not allowed/, url);
      }
      assert.deepEqual((await amy().call<HookList>("GET", `/v1/rooms/${room}/webhooks`)).body.webhooks, []);
    });

    it("refuses a Web Push endpoint on an internal address and never contacts it", async () => {
      const sub = push.subscribe();
      const reply = await amy().call<ErrorBody>("POST", "/v1/push/subscriptions", sub);
      assert.equal(reply.status, 400);
      assert.match(reply.body.error.message, /endpoint.*not allowed/);
      await amy().publish("dm:amy:bob", { text: "ping" });
      await amy().publish("dm:amy:bob", { text: "pong" }); // in log order after the first: its push was handled
      assert.equal(push.hits.size, 0);
    });
  });

  describe("with loopback allowed", () => {
    let server: ServerProcess;
    let silent: Server;
    const held = new Set<Socket>();
    let closedPort = 0;
    const amy = () => restAs(server.httpUrl, "amy");
    before(async () => {
      // A port that accepts and never answers, and one that refuses: an open and a closed port.
      silent = createServer((socket) => held.add(socket.on("close", () => held.delete(socket))));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
      closedPort = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      server = await ServerProcess.start({
        args: [
          ...["--outbound-allowed-networks", "127.0.0.0/8", "--webhook-timeout-ms", "300"],
          ...["--webhook-max-attempts", "1", "--webhook-pause-ms", "60000"],
        ],
      });
    });
    after(async () => {
      await server?.cleanup();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it("says `delivery failed` for a closed port and a silent open one alike", async () => {
      const room = uniqueRoom("ssrf-port");
      assert.equal((await amy().call("POST", "/v1/rooms", { id: room, type: "public", name: room })).status, 201);
      const openPort = (silent.address() as AddressInfo).port;
      for (const port of [closedPort, openPort]) {
        const reply = await amy().call("POST", `/v1/rooms/${room}/webhooks`, { url: `http://127.0.0.1:${port}/h` });
        assert.equal(reply.status, 201);
      }
      await amy().publish(room, { text: "probe" });
      let hooks: HookList["webhooks"] = [];
      for (;;) {
        hooks = (await amy().call<HookList>("GET", `/v1/rooms/${room}/webhooks`)).body.webhooks;
        if (hooks.every((h) => h.failing)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(
        hooks.map((h) => h.lastError),
        ["delivery failed", "delivery failed"],
      );
    });
  });
});
