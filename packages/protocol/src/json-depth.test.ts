import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_BODY_DEPTH, jsonDepthExceeds } from "./json-depth.js";
import { decodeClientFrame } from "./schemas.js";

/** JSON text of `depth` nested arrays around `inner`. */
function nested(depth: number, inner = "1"): string {
  return "[".repeat(depth) + inner + "]".repeat(depth);
}

function pub(body: string): string {
  return `{"t":"pub","id":7,"room":"r","cmid":"c","body":${body}}`;
}

describe("jsonDepthExceeds", () => {
  it("counts objects and arrays, not scalars", () => {
    assert.equal(jsonDepthExceeds("deep", 0), false);
    assert.equal(jsonDepthExceeds({ text: "hi" }, 0), true);
    assert.equal(jsonDepthExceeds({ text: "hi" }, 1), false);
    assert.equal(jsonDepthExceeds({ a: [1, { b: [] }] }, 3), true);
    assert.equal(jsonDepthExceeds({ a: [1, { b: [] }] }, 4), false);
    assert.equal(jsonDepthExceeds([[], [[[]]], []], 3), true);
  });

  it("measures 100 000 levels without overflowing the stack", () => {
    assert.equal(jsonDepthExceeds(JSON.parse(nested(100_000)), MAX_BODY_DEPTH), true);
  });
});

describe("decodeClientFrame nesting", () => {
  it(`accepts a pub body ${MAX_BODY_DEPTH} levels deep`, () => {
    assert.equal(decodeClientFrame(pub(nested(MAX_BODY_DEPTH))).ok, true);
  });

  it("refuses a deeper pub body with BAD_EVENT and the request id, at any depth", () => {
    for (const depth of [MAX_BODY_DEPTH + 1, 4_100, 100_000]) {
      const result = decodeClientFrame(pub(nested(depth)));
      assert.deepEqual(
        result.ok ? result : { code: result.code, id: result.id },
        { code: "BAD_EVENT", id: 7 },
        `depth ${depth}`,
      );
    }
  });

  it("refuses any other frame nested deeper than a pub may be with BAD_FRAME", () => {
    const result = decodeClientFrame(`{"t":"ping","id":3,"future":${nested(MAX_BODY_DEPTH + 1)}}`);
    assert.deepEqual(result.ok ? result : { code: result.code, id: result.id }, { code: "BAD_FRAME", id: 3 });
  });
});
