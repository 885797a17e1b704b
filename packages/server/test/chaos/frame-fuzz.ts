/**
 * Generators of hostile client frames for the live gateway fuzz: valid frames
 * of every type (aimed at a few known rooms, so mutations hit live state),
 * then damaged at the byte level or re-typed.
 */
import fc from "fast-check";

const TYPES = ["connect", "sub", "unsub", "pub", "history", "presence", "typing", "ping", "pong"];

/** Valid frames whose rooms are drawn from `rooms`. */
export function validFrames(rooms: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const room = fc.constantFrom(...rooms);
  const id = fc.nat({ max: 1_000_000 });
  const seq = fc.nat({ max: 50 });
  return fc.oneof(
    fc.record({ t: fc.constant("connect"), id, versions: fc.constant([1]), user: fc.constant("fuzzer") }),
    fc.record({ t: fc.constant("sub"), id, room, since: seq }, { requiredKeys: ["t", "id", "room"] }),
    fc.record({ t: fc.constant("unsub"), id, room }),
    fc.record({
      t: fc.constant("pub"),
      id,
      room,
      cmid: fc.stringMatching(/^[!-~]{1,20}$/),
      body: fc.jsonValue({ maxDepth: 3 }),
    }),
    fc.record({ t: fc.constant("history"), id, room, after: seq, limit: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ t: fc.constant("presence"), id, room }),
    fc.record({ t: fc.constant("typing"), room }),
    fc.record({ t: fc.constantFrom("ping", "pong"), id }),
  );
}

const damage = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({
    op: fc.constant("replace" as const),
    at: fc.nat(),
    text: fc.constantFrom('"', "{", "}", "]", ",", ":", "\\", "-1", "1e999", "null", "true", "[]"),
  }),
  fc.record({ op: fc.constant("retype" as const), text: fc.constantFrom(...TYPES, "event", "ack", "", "PUB") }),
  fc.record({ op: fc.constant("none" as const) }),
);
type Damage = typeof damage extends fc.Arbitrary<infer D> ? D : never;

function apply(text: string, d: Damage): string {
  const at = "at" in d ? d.at % (text.length + 1) : 0;
  switch (d.op) {
    case "truncate":
      return text.slice(0, at);
    case "delete":
      return text.slice(0, at) + text.slice(at + d.len);
    case "insert":
      return text.slice(0, at) + d.text + text.slice(at);
    case "replace":
      return text.slice(0, at) + d.text + text.slice(at + 1);
    case "retype":
      return text.replace(/"t":"[^"]*"/, `"t":${JSON.stringify(d.text)}`);
    case "none":
      return text;
  }
}

/** `count` frame texts: valid frames with 0–3 damages each (seeded, so a failure reproduces). */
export function hostileFrames(rooms: readonly string[], count: number, seed: number): string[] {
  const arb = fc.tuple(validFrames(rooms), fc.array(damage, { maxLength: 3 }));
  return fc.sample(arb, { numRuns: count, seed }).map(([frame, ds]) => ds.reduce(apply, JSON.stringify(frame)));
}
