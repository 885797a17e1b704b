/**
 * One publish pipeline and one history pager serve WebSocket, SSE and REST
 * (policy/publish.ts, policy/history.ts): the same cases run through all
 * three transports against one server, and every transport must give the
 * same answer (the same ack, page or error code).
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { Json, ServerFrame } from "@parley/protocol";
import { restAs, type RestReply } from "../support/rest-as.js";
import { SseClient } from "../support/sse-client.js";
import { mintTestToken } from "../support/tokens.js";
import { UNLIMITED_RATES, serverSuite, uniqueCmid, uniqueRoom, type ClientPool } from "../support/fixtures.js";

const SECRET = "transport-parity-secret-0123456789";
const MAX_MESSAGE_BYTES = 1000;
const HISTORY_PAGE_MAX = 5;
const TRANSPORTS = ["ws", "sse", "rest"] as const;
type TransportName = (typeof TRANSPORTS)[number];

/** What a transport answered, stripped of how it spells it (frame or HTTP status). */
type Answer =
  | { readonly code: string }
  | { readonly seq: number; readonly dup: boolean }
  | { readonly epoch: string; readonly events: unknown[]; readonly hasMore: boolean };

interface Publish {
  readonly cmid: string;
  readonly kind?: string;
  readonly body: Json;
}

interface HistoryAsk {
  readonly before?: number;
  readonly after?: number;
  readonly limit?: number;
}

/** One principal on one transport. */
interface Way {
  publish(room: string, p: Publish): Promise<Answer>;
  history(room: string, q: HistoryAsk): Promise<Answer>;
}

/** The answer of a frame transport: an ack, a history page or an error. */
function frameAnswer(reply: ServerFrame): Answer {
  if (reply.t === "ack") return { seq: reply.seq, dup: reply.dup };
  if (reply.t === "history") return { epoch: reply.epoch, events: reply.events, hasMore: reply.hasMore };
  if (reply.t === "error") return { code: reply.code };
  throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
}

/** The answer of a REST call: the page or ack on 2xx, else the error's code. */
function restAnswer(reply: RestReply): Answer {
  const body = reply.body as Record<string, unknown>;
  if (reply.status >= 300) return { code: (body.error as { code: string }).code };
  if ("seq" in body) return { seq: body.seq as number, dup: body.dup as boolean };
  return { epoch: body.epoch as string, events: body.events as unknown[], hasMore: body.hasMore as boolean };
}

function query(q: HistoryAsk): string {
  const params = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)]));
  return params.size > 0 ? `?${params.toString()}` : "";
}

/** Opens `user` (with `caps`, default everything) on a transport; SSE sessions go into `opened` for cleanup. */
async function open(
  on: { pool: ClientPool; baseUrl: string; opened: SseClient[] },
  transport: TransportName,
  who: { user: string; caps?: Record<string, string[]> },
): Promise<Way> {
  const token = await mintTestToken(SECRET, who.user, who.caps);
  if (transport === "rest") {
    const rest = restAs(on.baseUrl, { token });
    const path = (room: string): string => `/v1/rooms/${encodeURIComponent(room)}/messages`;
    return {
      publish: async (room, p) => restAnswer(await rest.call("POST", path(room), p)),
      history: async (room, q) => restAnswer(await rest.call("GET", `${path(room)}${query(q)}`)),
    };
  }
  const client = transport === "ws" ? await on.pool.connect({ token }) : await SseClient.connect(on.baseUrl, { token });
  if (client instanceof SseClient) on.opened.push(client);
  return {
    publish: async (room, p) => frameAnswer(await client.request({ t: "pub", room, ...p })),
    history: async (room, q) => frameAnswer(await client.request({ t: "history", room, ...q })),
  };
}

/** A case: runs on one transport (in its own room unless it shares one) and returns its answers in order. */
type Case = (
  open: (who: { user: string; caps?: Record<string, string[]> }) => Promise<Way>,
  tag: string,
) => Promise<Answer[]>;

describe("the same answers over WebSocket, SSE and REST", () => {
  const suite = serverSuite({
    dev: false,
    args: [
      ...["--jwt-secret", SECRET, "--max-message-bytes", String(MAX_MESSAGE_BYTES)],
      ...["--history-page-max", String(HISTORY_PAGE_MAX), ...UNLIMITED_RATES],
    ],
  });

  /** Runs `body` once per transport and asserts every transport answered `expected`. */
  function same(name: string, expected: Answer[], body: Case): void {
    suite.it(name, async (pool) => {
      const opened: SseClient[] = [];
      try {
        const on = { pool, baseUrl: suite.server.httpUrl, opened };
        for (const transport of TRANSPORTS) {
          const answers = await body((who) => open(on, transport, who), `${transport}-${process.pid}`);
          assert.deepEqual(answers, expected, transport);
        }
      } finally {
        for (const c of opened) c.destroy();
      }
    });
  }

  same(
    "accepted, and a retry of the same cmid is the original",
    [
      { seq: 1, dup: false },
      { seq: 1, dup: true },
      { seq: 2, dup: false },
    ],
    async (as, tag) => {
      const room = uniqueRoom("parity-dup");
      const amy = await as({ user: `amy-${tag}` });
      const cmid = uniqueCmid();
      return [
        await amy.publish(room, { cmid, body: { text: "hi" } }),
        await amy.publish(room, { cmid, body: { text: "hi" } }),
        await amy.publish(room, { cmid: uniqueCmid(), kind: "message", body: { text: "again" } }),
      ];
    },
  );

  same("another user's cmid is CMID_CONFLICT", [{ seq: 1, dup: false }, { code: "CMID_CONFLICT" }], async (as, tag) => {
    const room = uniqueRoom("parity-conflict");
    const [amy, bob] = [await as({ user: `amy-${tag}` }), await as({ user: `bob-${tag}` })];
    const cmid = uniqueCmid();
    return [await amy.publish(room, { cmid, body: 1 }), await bob.publish(room, { cmid, body: 2 })];
  });

  same(
    "bad bodies: BAD_EVENT for a chat shape or a server-only kind, TARGET_NOT_FOUND, MESSAGE_TOO_LARGE",
    [{ code: "BAD_EVENT" }, { code: "BAD_EVENT" }, { code: "TARGET_NOT_FOUND" }, { code: "MESSAGE_TOO_LARGE" }],
    async (as, tag) => {
      const room = uniqueRoom("parity-bad");
      const amy = await as({ user: `amy-${tag}` });
      return [
        await amy.publish(room, { cmid: uniqueCmid(), kind: "message", body: { text: 5 } }),
        await amy.publish(room, { cmid: uniqueCmid(), kind: "system", body: { text: "spoof" } }),
        await amy.publish(room, { cmid: uniqueCmid(), kind: "edit", body: { target: 9, text: "x" } }),
        await amy.publish(room, { cmid: uniqueCmid(), body: "y".repeat(MAX_MESSAGE_BYTES) }),
      ];
    },
  );

  same(
    "FORBIDDEN for a kind or a room the token does not allow; NOT_AUTHOR for another's message",
    [
      { seq: 1, dup: false },
      { code: "FORBIDDEN" },
      { code: "FORBIDDEN" },
      { code: "FORBIDDEN" },
      { code: "NOT_AUTHOR" },
    ],
    async (as, tag) => {
      const room = uniqueRoom("parity-forbidden");
      const writer = await as({ user: `pat-${tag}`, caps: { [room]: ["publish", "history"] } });
      const other = await as({ user: `cy-${tag}` });
      const first = await writer.publish(room, { cmid: uniqueCmid(), body: { text: "mine" } });
      return [
        first,
        await writer.publish(room, { cmid: uniqueCmid(), kind: "edit", body: { target: 1, text: "x" } }),
        await writer.publish(room, {
          cmid: uniqueCmid(),
          kind: "reaction",
          body: { target: 1, emoji: "👍", op: "add" },
        }),
        await writer.publish(`${room}-elsewhere`, { cmid: uniqueCmid(), body: { text: "out of scope" } }),
        await other.publish(room, { cmid: uniqueCmid(), kind: "edit", body: { target: 1, text: "not yours" } }),
      ];
    },
  );

  /** History asks, each answered from one shared room of 7 messages (and an empty room). */
  const ASKS: HistoryAsk[] = [
    {},
    { limit: 2 },
    { before: 4 },
    { before: 4, limit: 2 },
    { before: 1 },
    { after: 0, limit: 3 },
    { after: 4 },
    { after: 1, before: 5 },
    { after: 1, before: 6, limit: 2 },
    { after: 5, before: 3 },
    { after: 7 },
  ];

  suite.it("history pages: before, after, both, limits, an empty room and FORBIDDEN", async (pool) => {
    const room = uniqueRoom("parity-history");
    const empty = uniqueRoom("parity-empty");
    const seeder = restAs(suite.server.httpUrl, { token: await mintTestToken(SECRET, `seed-${process.pid}`) });
    for (let i = 1; i <= 7; i++) await seeder.publish(room, { text: `m${i}` });
    const opened: SseClient[] = [];
    const on = { pool, baseUrl: suite.server.httpUrl, opened };
    try {
      const answers = new Map<TransportName, Answer[]>();
      for (const transport of TRANSPORTS) {
        const reader = await open(on, transport, { user: `reader-${process.pid}` });
        const blind = await open(on, transport, { user: `blind-${process.pid}`, caps: { [room]: ["subscribe"] } });
        const got: Answer[] = [];
        for (const ask of ASKS) got.push(await reader.history(room, ask));
        got.push(await reader.history(empty, {}), await reader.history(empty, { after: 0, before: 9 }));
        got.push(await blind.history(room, {}));
        answers.set(transport, got);
      }
      const ws = answers.get("ws") ?? [];
      assert.deepEqual(answers.get("sse"), ws, "sse answers as ws");
      assert.deepEqual(answers.get("rest"), ws, "rest answers as ws");
      const pages = ws.map((a) => ("events" in a ? [seqsOf(a.events), a.hasMore] : a));
      assert.deepEqual(pages, [
        [[3, 4, 5, 6, 7], true], // {}: the latest page, capped at historyPageMax
        [[6, 7], true],
        [[1, 2, 3], false],
        [[2, 3], true],
        [[], false],
        [[1, 2, 3], true],
        [[5, 6, 7], false],
        [[2, 3, 4], false], // after with before: the window between them
        [[2, 3], true],
        [[], false],
        [[], false],
        [[], false], // the empty room
        [[], false],
        { code: "FORBIDDEN" },
      ]);
    } finally {
      for (const c of opened) c.destroy();
    }
  });
});

function seqsOf(events: unknown[]): number[] {
  return events.map((e) => (e as { seq: number }).seq);
}

describe("the publish rate limit over WebSocket, SSE and REST", () => {
  const suite = serverSuite({
    dev: false,
    args: ["--jwt-secret", SECRET, "--publish-rate-per-user", "1", "--publish-rate-per-connection", "100"],
  });

  suite.it("a user's burst (2 × 1/s) is accepted, the publish beyond it RATE_LIMITED", async (pool) => {
    const opened: SseClient[] = [];
    const on = { pool, baseUrl: suite.server.httpUrl, opened };
    try {
      for (const transport of TRANSPORTS) {
        const room = uniqueRoom("parity-rate");
        const way = await open(on, transport, { user: `rapid-${transport}-${process.pid}` });
        // Sent together: the bucket refills one token a second, so three in a row leave one refused.
        const answers = await Promise.all([1, 2, 3].map((i) => way.publish(room, { cmid: uniqueCmid(), body: i })));
        const codes = answers.map((a) => ("code" in a ? a.code : "ack")).sort();
        assert.deepEqual(codes, ["RATE_LIMITED", "ack", "ack"], transport);
      }
    } finally {
      for (const c of opened) c.destroy();
    }
  });
});
