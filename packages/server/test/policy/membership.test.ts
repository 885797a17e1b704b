/**
 * The membership rules (policy/membership.ts) on in-memory storage: who may
 * create, join, leave, add and see members, and which changes are sequenced
 * in the room as access events.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParleyError, excludedBy, type ErrorCode } from "@parley/protocol";
import type { CapabilityMap, Principal } from "#server/auth/principal.js";
import type { AppendResult, EventLog } from "#server/log/event-log.js";
import { RoomAccess } from "#server/policy/access.js";
import { Membership } from "#server/policy/membership.js";
import { MemoryLog } from "../support/memory-log.js";
import { MemoryStore } from "../support/memory-store.js";

function principal(user: string, caps: CapabilityMap = { "*": ["*"] }): Principal {
  return { user, caps, expiresAt: undefined, dev: false };
}

const amy = principal("amy");
const bob = principal("bob");

function setup(log: EventLog = new MemoryLog(), directory: "shared" | "everyone" = "shared") {
  const store = new MemoryStore();
  return { log, store, membership: new Membership({ log, store, access: new RoomAccess(store), directory }) };
}

/** Asserts `run` rejects with a ParleyError of `code`. */
async function refuses(run: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(run, (err: unknown) => err instanceof ParleyError && err.code === code);
}

async function kindsIn(log: EventLog, room: string): Promise<unknown[]> {
  return (await log.read(room, 0, 100)).map((e) => e.body);
}

describe("membership rules", () => {
  it("creating a private room makes the creator its one member and announces it in the room", async () => {
    const { log, store, membership } = setup();
    const room = await membership.create(amy, { id: "vault", type: "private", name: "Vault" });
    assert.equal(room.type, "private");
    assert.deepEqual(
      (await store.listMembers("vault")).map((m) => m.user),
      ["amy"],
    );
    assert.deepEqual(await kindsIn(log, "vault"), [{ type: "room.private", members: ["amy"], name: "Vault" }]);
  });

  it("refuses a create the token does not allow, a dm: id, and an open room already in use", async () => {
    const { log, membership } = setup();
    await refuses(
      membership.create(principal("pat", { "team-*": ["publish"] }), { type: "public", name: "x", id: "other" }),
      "FORBIDDEN",
    );
    await refuses(membership.create(amy, { id: "dm:amy:bob", type: "public", name: "x" }), "BAD_REQUEST");
    await log.append({ room: "busy", cmid: "c1", from: "cy", kind: "message", body: { text: "hi" } });
    await refuses(membership.create(amy, { id: "busy", type: "private", name: "Busy" }), "ROOM_EXISTS");
  });

  it("joins public rooms only; private rooms and DMs need a member to add you", async () => {
    const { membership } = setup();
    await membership.create(amy, { id: "open", type: "public", name: "Open" });
    await membership.create(amy, { id: "vault", type: "private", name: "Vault" });
    assert.equal((await membership.join(bob, "open")).id, "open");
    await refuses(membership.join(bob, "vault"), "FORBIDDEN");
    await refuses(membership.join(principal("bob", { vault: ["publish"] }), "open"), "FORBIDDEN");
    await refuses(membership.join(bob, "nowhere"), "ROOM_NOT_FOUND");
    await refuses(membership.add(bob, "vault", "bob"), "FORBIDDEN");
    await membership.add(amy, "vault", "bob");
    assert.equal((await membership.join(bob, "vault")).id, "vault", "a member's join is a no-op");
  });

  it("a DM is opened once, and its membership cannot change", async () => {
    const { membership } = setup();
    await refuses(membership.openDm(amy, "amy"), "BAD_REQUEST");
    const first = await membership.openDm(amy, "bob");
    const again = await membership.openDm(bob, "amy");
    assert.deepEqual([first.created, again.created, again.room.id], [true, false, "dm:amy:bob"]);
    await refuses(membership.add(amy, "dm:amy:bob", "cy"), "FORBIDDEN");
  });

  it("members are visible to those the room admits", async () => {
    const { membership } = setup();
    await membership.create(amy, { id: "vault", type: "private", name: "Vault" });
    assert.deepEqual(
      (await membership.members(amy, "vault")).map((m) => m.user),
      ["amy"],
    );
    await refuses(membership.members(bob, "vault"), "FORBIDDEN");
  });

  it("leaving a private room is announced; a leave the log refuses is undone", async () => {
    const { log, store, membership } = setup();
    await membership.create(amy, { id: "vault", type: "private", name: "Vault" });
    await membership.add(amy, "vault", "bob");
    await membership.leave(bob, "vault");
    assert.deepEqual((await kindsIn(log, "vault")).at(-1), { type: "member.left", user: "bob" });
    assert.equal(await store.isMember("vault", "bob"), false);

    const failing = setup(new RefusingLog());
    await failing.store.createRoom({ id: "vault", type: "private", name: "Vault", createdBy: "amy" });
    await failing.store.addMember("vault", "bob");
    await refuses(failing.membership.leave(bob, "vault"), "UNAVAILABLE");
    assert.equal(await failing.store.isMember("vault", "bob"), true, "not announced, so not left");
  });

  it("every membership change is sequenced in its room, for the inboxes of every gateway; a no-op writes nothing", async () => {
    const { log, membership } = setup();
    await membership.create(amy, { id: "lobby", type: "public", name: "Lobby" });
    await membership.join(bob, "lobby");
    await membership.join(bob, "lobby"); // already a member
    await membership.add(amy, "lobby", "cy");
    await membership.rename(amy, "lobby", "Hall");
    await membership.leave(bob, "lobby");
    const events = await log.read("lobby", 0, 100);
    assert.deepEqual(
      events.map((e) => [e.from, e.body]),
      [
        ["amy", { type: "room.created", members: ["amy"], name: "Lobby" }],
        ["bob", { type: "member.joined", user: "bob" }],
        ["amy", { type: "member.joined", user: "cy" }],
        ["amy", { type: "room.renamed", name: "Hall" }],
        ["bob", { type: "member.left", user: "bob", open: true }], // a public room stays open to him
      ],
    );
    assert.equal(excludedBy(events[4]!), undefined, "leaving a public room shuts nobody out");
    await membership.openDm(amy, "bob");
    await membership.openDm(bob, "amy"); // opened already: nothing more
    assert.deepEqual(await kindsIn(log, "dm:amy:bob"), [{ type: "room.created", members: ["amy", "bob"], name: "" }]);
  });

  it("a join the log refuses is undone", async () => {
    const failing = setup(new RefusingLog());
    await failing.store.createRoom({ id: "lobby", type: "public", name: "Lobby", createdBy: "amy" });
    await refuses(failing.membership.join(bob, "lobby"), "UNAVAILABLE");
    assert.equal(await failing.store.isMember("lobby", "bob"), false, "not announced, so not joined");
  });

  it("a moderator (creator, or delete_any in a room they may open) removes others, announced in a private room; a member may not", async () => {
    const { log, store, membership } = setup();
    await membership.create(amy, { id: "vault", type: "private", name: "Vault" });
    await membership.add(amy, "vault", "bob");
    await membership.add(amy, "vault", "cy");
    const member = principal("bob", { "*": ["subscribe", "publish"] }); // "*" would include delete_any
    await refuses(membership.remove(member, "vault", "cy"), "FORBIDDEN");
    await membership.remove(amy, "vault", "cy");
    assert.deepEqual((await kindsIn(log, "vault")).at(-1), { type: "member.left", user: "cy" });
    assert.equal(await store.isMember("vault", "cy"), false);
    const mod = principal("mo", { "*": ["subscribe", "delete_any"] });
    await refuses(membership.remove(mod, "vault", "bob"), "FORBIDDEN"); // the room's rule shuts a non-member out
    await membership.add(amy, "vault", "mo");
    await membership.remove(mod, "vault", "bob");
    assert.equal(await store.isMember("vault", "bob"), false, "delete_any moderates a room it may open");
    await membership.openDm(amy, "bob");
    await refuses(membership.remove(amy, "dm:amy:bob", "bob"), "FORBIDDEN");
    await refuses(membership.remove(amy, "nowhere", "bob"), "ROOM_NOT_FOUND");
  });

  it("renames for the creator or a moderator only; DMs keep no name", async () => {
    const { membership } = setup();
    await membership.create(amy, { id: "team", type: "public", name: "Team" });
    await membership.join(bob, "team");
    await refuses(membership.rename(principal("bob", { "*": ["subscribe"] }), "team", "Mine"), "FORBIDDEN");
    assert.equal((await membership.rename(amy, "team", "Team 2")).name, "Team 2");
    assert.equal((await membership.view(bob, "team")).name, "Team 2");
    assert.equal((await membership.view(principal("bob", { "*": ["subscribe"] }), "team")).moderator, false);
    const mod = principal("mo", { "*": ["subscribe", "delete_any"] });
    assert.equal((await membership.view(mod, "team")).moderator, true, "delete_any moderates");
    await membership.openDm(amy, "bob");
    await refuses(membership.rename(amy, "dm:amy:bob", "x"), "FORBIDDEN");
  });

  it("views a room without creating one: not found, no access, implicit open room, member or not", async () => {
    const { log, membership } = setup();
    await refuses(membership.view(amy, "typo-room"), "ROOM_NOT_FOUND");
    await refuses(membership.view(amy, "typo-room"), "ROOM_NOT_FOUND");
    await membership.create(amy, { id: "vault", type: "private", name: "Vault" });
    await refuses(membership.view(bob, "vault"), "FORBIDDEN");
    assert.deepEqual(await membership.view(amy, "vault"), {
      id: "vault",
      type: "private",
      name: "Vault",
      createdBy: "amy",
      member: true,
      moderator: true,
      implicit: false,
    });
    await log.append({ room: "lobby", cmid: "c1", from: "cy", kind: "message", body: { text: "hi" } });
    assert.deepEqual(await membership.view(bob, "lobby"), {
      id: "lobby",
      type: "public",
      name: "",
      createdBy: undefined,
      member: false,
      moderator: false,
      implicit: true,
    });
  });

  it("the directory lists who shares a room with the caller; `everyone` lists every member", async () => {
    for (const mode of ["shared", "everyone"] as const) {
      const { membership } = setup(new MemoryLog(), mode);
      await membership.create(amy, { id: "team", type: "private", name: "Team" });
      await membership.add(amy, "team", "bob");
      await membership.create(principal("zed"), { id: "far", type: "public", name: "Far" });
      await membership.openDm(principal("zed"), "yan");
      const expected = mode === "shared" ? ["amy", "bob"] : ["amy", "bob", "yan", "zed"];
      assert.deepEqual(await membership.directory(amy, undefined, 50), expected, mode);
      assert.deepEqual(await membership.directory(amy, "B", 50), ["bob"], `${mode}: searched`);
      assert.deepEqual(await membership.directory(amy, undefined, 1), ["amy"], `${mode}: limited`);
    }
  });

  it("a scoped token's directory has only the members of rooms it may open", async () => {
    const { membership } = setup();
    await membership.create(amy, { id: "team-a", type: "public", name: "A" });
    await membership.create(amy, { id: "secret", type: "private", name: "S" });
    await membership.add(amy, "team-a", "bob");
    await membership.add(amy, "secret", "spy");
    const scoped = principal("amy", { "team-*": ["subscribe"] });
    assert.deepEqual(await membership.directory(scoped, undefined, 50), ["amy", "bob"]);
    assert.deepEqual(await membership.directory(amy, undefined, 50), ["amy", "bob", "spy"]);
  });

  it("lists only the rooms a scoped token may subscribe to", async () => {
    const { membership } = setup();
    await membership.create(amy, { id: "team-a", type: "public", name: "A" });
    await membership.create(amy, { id: "other", type: "public", name: "O" });
    const scoped = principal("amy", { "team-*": ["subscribe"] });
    assert.deepEqual(
      (await membership.roomsOf(scoped)).map((r) => r.id),
      ["team-a"],
    );
    assert.deepEqual(
      (await membership.publicRooms(scoped, 10)).map((r) => r.id),
      ["team-a"],
    );
  });
});

/** A log that cannot sequence right now: every append fails UNAVAILABLE. */
class RefusingLog extends MemoryLog {
  override append(): Promise<AppendResult> {
    return Promise.reject(new ParleyError("UNAVAILABLE", "no sequencer"));
  }
}
