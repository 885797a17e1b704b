import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { hostAllowed, originAllowed } from "#server/transport/origin.js";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("originAllowed", () => {
  it("allows non-browser, same-origin, listed and wildcard; refuses the rest", () => {
    assert.equal(originAllowed(req({ host: "chat.example" }), []), true);
    assert.equal(originAllowed(req({ host: "chat.example", origin: "https://chat.example" }), []), true);
    assert.equal(originAllowed(req({ host: "chat.example", origin: "https://evil.example" }), []), false);
    assert.equal(originAllowed(req({ host: "x", origin: "https://app.example" }), ["https://app.example"]), true);
    assert.equal(originAllowed(req({ host: "x", origin: "https://evil.example" }), ["*"]), true);
    assert.equal(originAllowed(req({ host: "x", origin: "not a url" }), []), false);
  });
});

describe("hostAllowed", () => {
  const dev = { dev: true, allowedHosts: [] as string[], host: undefined };
  const withHost = (host: string) => req({ host });

  it("in dev mode admits IP addresses, localhost and configured names, and refuses other names (DNS rebinding)", () => {
    for (const host of [
      "127.0.0.1:8080",
      "[::1]:8080",
      "192.168.1.5",
      "localhost:8080",
      "app.localhost",
      "LOCALHOST",
    ]) {
      assert.equal(hostAllowed(withHost(host), dev), true, host);
    }
    assert.equal(hostAllowed(req({}), dev), true);
    for (const host of ["attacker.example:8080", "127.0.0.1.attacker.example", "localhost.attacker.example", "a b"]) {
      assert.equal(hostAllowed(withHost(host), dev), false, host);
    }
    assert.equal(hostAllowed(withHost("chat.test:8080"), { ...dev, allowedHosts: ["Chat.test"] }), true);
    assert.equal(hostAllowed(withHost("box.lan:8080"), { ...dev, host: "box.lan" }), true);
  });

  it("outside dev mode admits any Host unless allowedHosts is set", () => {
    assert.equal(hostAllowed(withHost("anything.example"), { ...dev, dev: false }), true);
    const listed = { ...dev, dev: false, allowedHosts: ["chat.example"] };
    assert.equal(hostAllowed(withHost("chat.example"), listed), true);
    assert.equal(hostAllowed(withHost("attacker.example"), listed), false);
  });
});
