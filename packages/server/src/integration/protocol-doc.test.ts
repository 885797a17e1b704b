/**
 * docs/protocol.md is the spec clients are written from: its error and close
 * code tables and its frame list must match packages/protocol exactly.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CLOSE, ERRORS, shouldReconnect } from "@parley/protocol";
import { CLIENT_FRAME_SCHEMAS } from "@parley/protocol/schemas";

const DOC = readFileSync(fileURLToPath(new URL("../../../../docs/protocol.md", import.meta.url)), "utf8");

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
});
