import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, ParleyError } from "./errors.js";

describe("ParleyError", () => {
  it("carries the failure it wraps as its cause", () => {
    const driver = new Error("connection reset by peer");
    const err = new ParleyError("UNAVAILABLE", "store failed", { cause: driver });
    assert.equal(err.cause, driver);
    assert.deepEqual(
      [err.code, err.message, err.retryable, err.name],
      ["UNAVAILABLE", "store failed", true, "ParleyError"],
    );
    assert.ok(err instanceof Error);
  });

  it("defaults its message to the catalogue's description and has no cause unless given one", () => {
    const err = new ParleyError("ROOM_EXISTS");
    assert.equal(err.message, ERRORS.ROOM_EXISTS.description);
    assert.equal(err.cause, undefined);
    assert.equal("cause" in err, false);
  });

  it("never serializes its cause", () => {
    const err = new ParleyError("UNAVAILABLE", "store failed", { cause: new Error("password=hunter2") });
    assert.equal(Object.keys(err).includes("cause"), false, "the cause is not an enumerable field");
    assert.ok(!JSON.stringify(err).includes("hunter2"));
    assert.ok(!JSON.stringify({ ...err }).includes("hunter2"));
  });
});
