/**
 * docs/protocol.md is the spec clients are written from: its error and close
 * code tables and its frame list must match packages/protocol exactly.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CLOSE, CONNECTION_LIMIT_FIELDS, DEAD_LINK_FACTOR, dmRoomId, ERRORS, shouldReconnect } from "@parley/protocol";
import { CLIENT_FRAME_SCHEMAS } from "@parley/protocol/schemas";

const read = (path: string): string => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");
const DOC = read("../../../../docs/protocol.md");
const CLIENT_README = read("../../../../packages/client/README.md");

/** Table rows whose first cell matches `first`, split into trimmed cells. */
function rows(first: RegExp): string[][] {
  return DOC.split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => first.test(cells[0] ?? ""));
}

describe("docs/protocol.md matches packages/protocol", () => {
  test("error table: every code, with its retryable flag, HTTP status and meaning", () => {
    const documented = rows(/^`[A-Z0-9_]+`$/).map(([code, retryable, status, meaning]) => [
      code!.slice(1, -1),
      retryable === "yes",
      Number(status),
      meaning,
    ]);
    const expected = Object.entries(ERRORS).map(([code, spec]) => [
      code,
      spec.retryable,
      spec.status,
      spec.description,
    ]);
    assert.deepEqual(documented, expected);
  });

  test("close code table: every code, its name and whether clients reconnect", () => {
    const documented = rows(/^4\d\d\d$/).map(([code, name, reconnect]) => [
      Number(code),
      name!.slice(1, -1),
      reconnect === "yes",
    ]);
    const expected = Object.entries(CLOSE).map(([name, code]) => [code, name, shouldReconnect(code)]);
    assert.deepEqual(documented, expected);
  });

  test("every client frame type is documented", () => {
    const documented = rows(/^`[a-z]+`$/).map(([t]) => t!.slice(1, -1));
    for (const t of Object.keys(CLIENT_FRAME_SCHEMAS)) assert.ok(documented.includes(t), `frame ${t} missing`);
  });

  test("connected.limits: the frame row, the example and the error table name exactly the announced fields", () => {
    const fields: string[] = [...CONNECTION_LIMIT_FIELDS].sort();
    const row = rows(/^`connected`$/)[0]?.[1] ?? "";
    const listed = /limits: \{([^}]*)\}/
      .exec(row)?.[1]
      ?.split(",")
      .map((f) => f.trim());
    assert.deepEqual(listed?.sort(), fields, "the `connected` row");
    const example = /"limits":(\{[^}]*\})/.exec(DOC)?.[1];
    assert.deepEqual(Object.keys(JSON.parse(example ?? "{}") as object).sort(), fields, "the `connected` example");
    // An error's meaning may point a client at a limit; it must be one the client is told.
    for (const [code, spec] of Object.entries(ERRORS)) {
      for (const [, field] of spec.description.matchAll(/`limits\.(\w+)`/g))
        assert.ok(fields.includes(field!), `${code} refers to limits.${field}, which connected does not announce`);
    }
  });

  test("the dead-link factor is the code's, in the spec and in the client README", () => {
    for (const [name, text] of [
      ["docs/protocol.md", DOC],
      ["packages/client/README.md", CLIENT_README],
    ] as const) {
      const factors = [...text.matchAll(/(\d+(?:\.\d+)?) × `?heartbeatMs`?/g)].map(([, f]) => Number(f));
      assert.ok(factors.length > 0, `${name} states no dead-link factor`);
      for (const f of factors) assert.equal(f, DEAD_LINK_FACTOR, name);
    }
    assert.match(CLIENT_README, new RegExp(`timeoutFactor: ${DEAD_LINK_FACTOR} }`), "the options table's default");
  });

  test("the DM id example follows dmRoomId's order (upper case first)", () => {
    const example = /share `(dm:[^`]+)`/.exec(DOC)?.[1];
    assert.equal(example, dmRoomId("alice", "Bob"));
    assert.equal(example, dmRoomId("Bob", "alice"));
  });
});
