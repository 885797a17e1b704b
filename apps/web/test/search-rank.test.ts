import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SearchHit } from "@parley/client";
import { rankHits } from "../src/components/search-rank.js";

const hit = (seq: number, text: string): SearchHit => ({ room: "r", seq, from: "u", ts: seq, text, snippet: text });

describe("search ranking", () => {
  it("puts messages with every query word whole before prefix-only ones, each newest first as the server sent them", () => {
    const newestFirst = [179, 178, 177, 176, 175, 174, 173, 172, 171, 170].map((n) => hit(n, `issue ${n}`));
    const hits = [...newestFirst, hit(12, "issue 17 is back"), hit(5, "Issue 17.")];
    assert.deepEqual(
      rankHits(hits, "issue 17").map((h) => h.seq),
      [12, 5, 179, 178, 177, 176, 175, 174, 173, 172, 171, 170],
    );
    assert.deepEqual(
      rankHits(hits, "  ").map((h) => h.seq),
      hits.map((h) => h.seq),
    );
  });
});
