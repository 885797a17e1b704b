/**
 * Dev mode lets anyone be anyone, so it must be reachable only from this
 * machine: it binds 127.0.0.1 unless `--host` says otherwise, and refuses
 * requests and WebSocket upgrades whose Host is a name it does not know (a
 * DNS-rebound page on attacker.example reaching 127.0.0.1).
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { ChildNode } from "../support/child-node.js";
import { CLI_PATH, ServerProcess } from "../support/server-process.js";

/** `GET path` with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host, "x-parley-user": "eve" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject).end();
  });
}

/** Opens /v1/ws with a Host header of our choosing: "open", or the HTTP status it was refused with. */
function wsWithHost(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, { headers: { host } });
    ws.on("open", () => (ws.terminate(), resolve("open")));
    ws.on("unexpected-response", (_req, res) => (ws.terminate(), resolve(String(res.statusCode))));
    ws.on("error", (err) => resolve(`error ${err.message}`));
  });
}

/** A `parley start` process with exactly `args`, for what it logs when listening. */
class BareStart extends ChildNode {
  constructor() {
    super("parley-devhost-");
  }
  async listening(args: string[]): Promise<Record<string, unknown>> {
    let record: Record<string, unknown> = {};
    await this.spawnNode([CLI_PATH, "start", "--port", "0", "--data-dir", this.dataDir, ...args], {
      timeoutMs: 20_000,
      ready: (line) => {
        if (!line.includes('"listening"')) return undefined;
        record = JSON.parse(line) as Record<string, unknown>;
        return record.port as number;
      },
    });
    return record;
  }
}

describe("dev mode", () => {
  it("binds 127.0.0.1 unless --host is given", async (t) => {
    const plain = new BareStart();
    t.after(() => plain.cleanup());
    assert.equal((await plain.listening(["--dev"])).host, "127.0.0.1");
    const wide = new BareStart();
    t.after(() => wide.cleanup());
    assert.equal((await wide.listening(["--dev", "--host", "0.0.0.0"])).host, "0.0.0.0");
  });

  describe("Host header", () => {
    let server: ServerProcess;
    before(async () => {
      server = await ServerProcess.start({ args: ["--allowed-hosts", "chat.test"] });
    });
    after(() => server?.cleanup());

    it("serves HTTP for IP addresses, localhost and configured names; refuses other names with 403", async () => {
      const port = server.port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `chat.test:${port}`]) {
        assert.equal(await getWithHost(port, "/v1/rooms/public", host), 200, host);
      }
      assert.equal(await getWithHost(port, "/v1/rooms/public", `attacker.example:${port}`), 403);
      assert.equal(await getWithHost(port, "/v1/sse", `attacker.example:${port}`), 403);
      assert.equal(await getWithHost(port, "/", `attacker.example:${port}`), 403);
    });

    it("refuses a WebSocket upgrade for an unknown name before the handshake", async () => {
      const port = server.port;
      assert.equal(await wsWithHost(port, `attacker.example:${port}`), "403");
      assert.equal(await wsWithHost(port, `localhost:${port}`), "open");
    });
  });
});
