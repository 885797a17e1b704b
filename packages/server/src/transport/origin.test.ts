import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { originAllowed } from "./origin.js";

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
