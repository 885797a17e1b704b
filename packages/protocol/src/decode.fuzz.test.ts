/**
 * Fuzzing `decodeClientFrame` (invariant 5 at the decoder): property-based
 * frames and mutated valid frames, well over 100k in all. The decoder must
 * never throw; a rejection carries a catalogued code (BAD_JSON, BAD_FRAME,
 * UNKNOWN_FRAME or BAD_EVENT for a body nested too deep) and an `id` only when it is a safe integer; an accepted
 * frame has a known `t` and survives a JSON round trip unchanged.
 */
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeClientFrame, CLIENT_FRAME_SCHEMAS } from "./schemas.js";
import { isErrorCode } from "./errors.js";

const DECODER_CODES = new Set(["BAD_JSON", "BAD_FRAME", "UNKNOWN_FRAME", "BAD_EVENT"]);
const FRAME_TYPES = Object.keys(CLIENT_FRAME_SCHEMAS);
let fuzzed = 0;

/** The property every input must satisfy; returns whether it was accepted. */
function decodesSafely(text: string): boolean {
  fuzzed++;
  const result = decodeClientFrame(text);
  if (result.ok) {
    assert.ok(FRAME_TYPES.includes(result.frame.t), `accepted unknown t ${result.frame.t}`);
    const again = decodeClientFrame(JSON.stringify(result.frame));
    assert.ok(again.ok && JSON.stringify(again.frame) === JSON.stringify(result.frame), "round trip changed the frame");
    return true;
  }
  assert.ok(isErrorCode(result.code) && DECODER_CODES.has(result.code), `code ${result.code}`);
  assert.equal(typeof result.message, "string");
  if (result.id !== undefined) assert.ok(Number.isSafeInteger(result.id) && typeof result.id === "number");
  return false;
}

const roomId = fc.stringMatching(/^[A-Za-z0-9_.:@-]{1,128}$/);
const cmid = fc.stringMatching(/^[!-~]{1,64}$/);
const kind = fc.stringMatching(/^[a-z][a-z0-9._-]{0,31}$/);
const reqId = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const seq = fc.nat({ max: Number.MAX_SAFE_INTEGER });

/** Valid frames of every type (extra fields included, as forward compatibility allows). */
const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      t: fc.constant("connect"),
      id: reqId,
      versions: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 16 }),
      token: fc.string({ maxLength: 200 }),
      user: fc.stringMatching(/^[A-Za-z0-9_.@-]{1,64}$/),
      client: fc.string({ maxLength: 128 }),
    },
    { requiredKeys: ["t", "versions"] },
  ),
  fc.record(
    { t: fc.constant("sub"), id: reqId, room: roomId, since: seq, epoch: fc.string({ maxLength: 64 }) },
    { requiredKeys: ["t", "id", "room"] },
  ),
  fc.record({ t: fc.constant("unsub"), id: reqId, room: roomId }),
  fc.record(
    { t: fc.constant("pub"), id: reqId, room: roomId, cmid, kind, body: fc.jsonValue({ maxDepth: 3 }) },
    { requiredKeys: ["t", "id", "room", "cmid", "body"] },
  ),
  fc.record(
    {
      t: fc.constant("history"),
      id: reqId,
      room: roomId,
      before: seq,
      after: seq,
      limit: fc.integer({ min: 1, max: 1000 }),
    },
    { requiredKeys: ["t", "id", "room"] },
  ),
  fc.record({ t: fc.constant("presence"), id: reqId, room: roomId }),
  fc.record({ t: fc.constant("typing"), room: roomId }),
  fc.record({ t: fc.constantFrom("ping", "pong"), id: reqId }, { requiredKeys: ["t"] }),
);

/** Byte-level damage to a serialised frame: what a broken or hostile client sends. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({
    op: fc.constant("replace" as const),
    at: fc.nat(),
    text: fc.constantFrom('"', "{", "}", "[", "]", ",", ":", "\\", "-1", "1e999", "null", "\u0000", "\ud800", "💥"),
  }),
  fc.record({ op: fc.constant("swap-type" as const), text: fc.constantFrom(...FRAME_TYPES, "Pub", "", "x") }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = "at" in m ? m.at % (text.length + 1) : 0;
  switch (m.op) {
    case "truncate":
      return text.slice(0, at);
    case "delete":
      return text.slice(0, at) + text.slice(at + m.len);
    case "insert":
      return text.slice(0, at) + m.text + text.slice(at);
    case "replace":
      return text.slice(0, at) + m.text + text.slice(at + 1);
    case "swap-type":
      return text.replace(/"t":"[^"]*"/, `"t":${JSON.stringify(m.text)}`);
  }
}

describe("decodeClientFrame under fuzzing", () => {
  after(() => {
    assert.ok(fuzzed >= 100_000, `only ${fuzzed} frames fuzzed`);
    console.log(`decoder fuzz: ${fuzzed} frames`);
  });

  test("valid frames are accepted", () => {
    fc.assert(
      fc.property(validFrame, (frame) => assert.equal(decodesSafely(JSON.stringify(frame)), true)),
      { numRuns: 20_000 },
    );
  });

  test("mutated valid frames never throw and are rejected with a decoder code", () => {
    const mutated = fc.tuple(validFrame, fc.array(mutation, { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(mutated, ([frame, ms]) => {
        decodesSafely(ms.reduce(mutate, JSON.stringify(frame)));
      }),
      { numRuns: 40_000 },
    );
  });

  test("arbitrary strings and JSON values", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => void decodesSafely(s)),
      {
        numRuns: 15_000,
      },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => void decodesSafely(JSON.stringify(v))),
      {
        numRuns: 15_000,
      },
    );
  });

  test("objects with a known type and fields of any type", () => {
    const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 1.5, 2 ** 53, "", "a b", null));
    const fields = fc.dictionary(
      fc.constantFrom(
        "id",
        "room",
        "cmid",
        "body",
        "since",
        "epoch",
        "before",
        "after",
        "limit",
        "versions",
        "token",
        "user",
        "kind",
        "__proto__",
        "constructor",
      ),
      anyValue,
    );
    const frame = fc.tuple(fc.constantFrom(...FRAME_TYPES), fields).map(([t, rest]) => ({ ...rest, t }));
    fc.assert(
      fc.property(frame, (f) => void decodesSafely(JSON.stringify(f))),
      { numRuns: 20_000 },
    );
  });

  test("raw edge cases", () => {
    const cases = [
      "",
      " ",
      "null",
      "0",
      '"pub"',
      "[]",
      "{}",
      '{"t":null}',
      '{"t":"pub","id":1e400}',
      '{"__proto__":{"t":"ping"}}',
    ];
    cases.push(
      '{"t":"ping","id":-0}',
      '{"t":"ping","id":9007199254740993}',
      "{".repeat(10_000),
      '{"t":"pub"'.padEnd(70_000, " "),
    );
    for (const text of cases) decodesSafely(text);
  });
});
