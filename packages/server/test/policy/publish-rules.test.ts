import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { isTombstone } from "@parley/protocol";
import type { Principal } from "#server/auth/principal.js";
import type { RoomAccess } from "#server/policy/access.js";
import {
  capabilityFor,
  checkPublish,
  decideChatPublish,
  forbiddenMessage,
  type PublishCheckSources,
  type PublishFacts,
} from "#server/policy/publish-rules.js";

function message(seq: number, from: string, body: RoomEvent["body"] = { text: "hi" }): RoomEvent {
  return { room: "r", seq, id: `e${seq}`, from, ts: 1, kind: "message", body, cmid: `c${seq}` };
}

function facts(over: Partial<PublishFacts>): PublishFacts {
  return {
    user: "ann",
    kind: "edit",
    body: { target: 1, text: "x" },
    target: message(1, "ann"),
    lastSeq: 1,
    deleteAny: false,
    ...over,
  };
}

describe("chat publish rules (pure)", () => {
  it("maps kinds to capabilities; unknown kinds need publish", () => {
    assert.deepEqual(["message", "edit", "delete", "reaction", "receipt", "app.vote"].map(capabilityFor), [
      "publish",
      "edit",
      "delete",
      "react",
      "subscribe",
      "publish",
    ]);
  });

  it("a FORBIDDEN refusal names the missing capability, or else the room's rule", () => {
    assert.equal(
      forbiddenMessage("reaction", "r", "react", false),
      "you may not publish a reaction in r: the token lacks `react`",
    );
    assert.equal(
      forbiddenMessage("message", "r", "publish", false),
      "you may not publish in r: the token lacks `publish`",
    );
    assert.equal(
      forbiddenMessage("receipt", "p", "subscribe", true),
      "you may not publish a receipt in p: the room admits only its members",
    );
  });

  it("accepts an author's edit and refuses another user's with NOT_AUTHOR", () => {
    assert.equal(decideChatPublish(facts({})), undefined);
    assert.equal(decideChatPublish(facts({ user: "bob" }))?.code, "NOT_AUTHOR");
  });

  it("TARGET_NOT_FOUND: missing, another seq, or not a message", () => {
    assert.equal(decideChatPublish(facts({ target: undefined }))?.code, "TARGET_NOT_FOUND");
    assert.equal(decideChatPublish(facts({ target: message(2, "ann") }))?.code, "TARGET_NOT_FOUND");
    const reaction = { ...message(1, "ann"), kind: "reaction" };
    assert.equal(decideChatPublish(facts({ target: reaction }))?.code, "TARGET_NOT_FOUND");
  });

  it("refuses edits and reactions on a tombstone, accepts a second delete", () => {
    const dead = message(1, "ann", { deleted: true });
    assert.equal(decideChatPublish(facts({ target: dead }))?.code, "TARGET_NOT_FOUND");
    const react = { kind: "reaction", body: { target: 1, emoji: "👍", op: "add" }, target: dead };
    assert.equal(decideChatPublish(facts(react))?.code, "TARGET_NOT_FOUND");
    assert.equal(decideChatPublish(facts({ kind: "delete", body: { target: 1 }, target: dead })), undefined);
  });

  it("delete: own with delete, anyone's only with delete_any", () => {
    const del = { kind: "delete", body: { target: 1 } };
    assert.equal(decideChatPublish(facts(del)), undefined);
    assert.equal(decideChatPublish(facts({ ...del, user: "bob" }))?.code, "NOT_AUTHOR");
    assert.equal(decideChatPublish(facts({ ...del, user: "bob", deleteAny: true })), undefined);
  });

  it("anyone may react to or reply to a live message", () => {
    const react = { kind: "reaction", body: { target: 1, emoji: "🎉", op: "add" }, user: "bob" };
    assert.equal(decideChatPublish(facts(react)), undefined);
    assert.equal(
      decideChatPublish(facts({ kind: "message", body: { text: "re", replyTo: 1 }, user: "bob" })),
      undefined,
    );
    const noReply = { kind: "message", body: { text: "plain" }, target: undefined };
    assert.equal(decideChatPublish(facts(noReply)), undefined);
  });

  it("receipt: upTo must not pass the head", () => {
    const receipt = { kind: "receipt", target: undefined, lastSeq: 5 };
    assert.equal(decideChatPublish(facts({ ...receipt, body: { upTo: 5 } })), undefined);
    assert.equal(decideChatPublish(facts({ ...receipt, body: { upTo: 6 } }))?.code, "TARGET_NOT_FOUND");
  });

  it("recognises only the exact tombstone body", () => {
    assert.equal(isTombstone({ deleted: true }), true);
    assert.equal(isTombstone({ deleted: true, text: "x" }), false);
    assert.equal(isTombstone("deleted"), false);
    assert.equal(isTombstone(null), false);
  });
});

describe("checkPublish on a log that may lag (EventLog.reach)", () => {
  const ann: Principal = {
    user: "ann",
    caps: { "*": ["publish", "edit", "react", "subscribe"] },
    expiresAt: undefined,
    dev: false,
  };
  const access = { refusal: async () => undefined } as unknown as RoomAccess;
  /** A log that holds seq 1..3 until reach() is awaited, then 1..5 (the target was acked through another gateway). */
  function laggingLog(): PublishCheckSources["log"] {
    let held = 3;
    return {
      head: async () => ({ epoch: "E", lastSeq: held }),
      read: async (_room, after, limit) =>
        range(after + 1, Math.min(held, after + limit)).map((seq) => message(seq, "ann")),
      reach: async (_room, seq) => ((held = 5), seq <= held),
    };
  }
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

  it("a target above this gateway's head is waited for, not refused", async () => {
    const command = { room: "r", cmid: "c", from: "ann", kind: "edit", body: { target: 5, text: "x" } };
    assert.equal(await checkPublish(ann, command, { log: laggingLog(), access }), undefined);
    const reply = { ...command, kind: "message", body: { text: "re", replyTo: 4 } };
    assert.equal(await checkPublish(ann, reply, { log: laggingLog(), access }), undefined);
    const receipt = { ...command, kind: "receipt", body: { upTo: 5 } };
    assert.equal(await checkPublish(ann, receipt, { log: laggingLog(), access }), undefined);
  });

  it("a target the log never reaches is still TARGET_NOT_FOUND", async () => {
    const command = { room: "r", cmid: "c", from: "ann", kind: "edit", body: { target: 9, text: "x" } };
    assert.equal((await checkPublish(ann, command, { log: laggingLog(), access }))?.code, "TARGET_NOT_FOUND");
  });
});
