/**
 * The Store contract as a test suite. Every Store implementation runs it:
 * SQLite from sqlite/store.test.ts, PostgreSQL from postgres/store.test.ts,
 * the in-memory fake from store/memory-store.test.ts (without the clauses
 * its capabilities exclude).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import type { CreateRoomInput, Room, Store } from "#server/store/store.js";
import { describeChatReads, type EventWriter } from "./chat-reads-contract.js";

/** A fresh, started store on empty storage, with a way to reopen it on the same storage. */
export interface StoreFixture {
  readonly store: Store;
  /** Closes `store` and returns a new started store on the same storage. Required when `durable`. */
  reopen?(): Promise<Store>;
  /** Closes everything and deletes the storage. */
  dispose(): Promise<void>;
  /**
   * Stores sequenced events the way the backend's event writer does (with
   * their chat projection). Required when `chatReads`.
   */
  readonly writeEvents?: EventWriter;
}

/** Builds a StoreFixture. */
export type StoreFactory = () => Promise<StoreFixture>;

/** What the store under test can do; the suite registers only the clauses that apply. */
export interface StoreCapabilities {
  /** Keeps what it stored across close and reopen (false only for a test double). */
  readonly durable: boolean;
  /** Implements ChatReads over events written through `writeEvents` (false only for a test double). */
  readonly chatReads: boolean;
}

const EVERY_CLAUSE: StoreCapabilities = { durable: true, chatReads: true };

/** `value`, which the capabilities in force require the fixture to provide. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the store fixture must provide ${what} for the capabilities it claims`);
  return value;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let counter = 0;
/** Unique room ids, so tests sharing a fixture never collide. */
function roomInput(type: CreateRoomInput["type"] = "public", createdBy = "alice"): CreateRoomInput {
  const id = `room-${process.pid}-${++counter}`;
  return { id, type, name: `Room ${id}`, createdBy };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof ParleyError && err.code === code);
}

/** Registers the Store contract tests against `factory`; `capabilities` says which clauses apply. */
export function describeStoreContract(
  name: string,
  factory: StoreFactory,
  capabilities: StoreCapabilities = EVERY_CLAUSE,
): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    before(async () => {
      fx = await factory();
      store = fx.store;
    });
    after(() => fx.dispose());
    if (capabilities.chatReads) {
      describeChatReads(() => ({ store, write: required(fx.writeEvents, "writeEvents") }));
    }

    it("creates a room, returns it from getRoom, and makes the creator a member", async () => {
      const input = roomInput("private", "bob");
      const room = await store.createRoom(input);
      assert.deepEqual({ ...room, createdAt: 0 }, { ...input, createdAt: 0 });
      assert.ok(Number.isInteger(room.createdAt) && room.createdAt > 0);
      assert.deepEqual(await store.getRoom(input.id), room);
      assert.equal(await store.isMember(input.id, "bob"), true);
    });

    it("getRoom of an unknown id is undefined", async () => {
      assert.equal(await store.getRoom("no-such-room"), undefined);
    });

    it("createRoom with a taken id fails with ROOM_EXISTS and changes nothing", async () => {
      const input = roomInput("public", "alice");
      const room = await store.createRoom(input);
      await rejectsWith(store.createRoom({ ...input, name: "other", createdBy: "mallory" }), "ROOM_EXISTS");
      assert.deepEqual(await store.getRoom(input.id), room);
      assert.equal(await store.isMember(input.id, "mallory"), false);
    });

    it("concurrent createRoom with one id: exactly one succeeds", async () => {
      const input = roomInput();
      const results = await Promise.allSettled([1, 2, 3, 4].map((i) => store.createRoom({ ...input, name: `n${i}` })));
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) if (r.status === "rejected") assert.equal((r.reason as ParleyError).code, "ROOM_EXISTS");
    });

    it("listPublicRooms: only public rooms, newest first, at most limit", async () => {
      const made: Room[] = [];
      for (let i = 0; i < 4; i++) {
        made.push(await store.createRoom(roomInput(i === 1 ? "private" : "public")));
        await sleep(2);
      }
      const publicIds = made.filter((r) => r.type === "public").map((r) => r.id);
      const listed = (await store.listPublicRooms(1000)).map((r) => r.id).filter((id) => made.some((m) => m.id === id));
      assert.deepEqual(listed, publicIds.reverse());
      assert.equal((await store.listPublicRooms(2)).length, 2);
      assert.equal((await store.listPublicRooms(0)).length, 0);
    });

    it("addMember and removeMember are idempotent; isMember and listRoomsOf follow", async () => {
      const room = await store.createRoom(roomInput("public", "carol"));
      await store.addMember(room.id, "dave");
      const first = (await store.listMembers(room.id)).find((m) => m.user === "dave");
      await store.addMember(room.id, "dave");
      const members = await store.listMembers(room.id);
      assert.deepEqual(members.map((m) => m.user).sort(), ["carol", "dave"]);
      assert.deepEqual(
        members.find((m) => m.user === "dave"),
        first,
        "re-adding keeps the membership as it was",
      );
      assert.ok((await store.listRoomsOf("dave")).some((r) => r.id === room.id));
      assert.equal(await store.removeMember(room.id, "dave"), true);
      assert.equal(await store.removeMember(room.id, "dave"), false, "idempotent, and says it changed nothing");
      assert.equal(await store.removeMember(room.id, "never-joined"), false);
      assert.equal(await store.isMember(room.id, "dave"), false);
      assert.ok(!(await store.listRoomsOf("dave")).some((r) => r.id === room.id));
    });

    it("renameRoom renames a created room and says whether there was one", async () => {
      const room = await store.createRoom(roomInput("public", "carol"));
      assert.equal(await store.renameRoom(room.id, "Renamed"), true);
      assert.equal((await store.getRoom(room.id))?.name, "Renamed");
      assert.equal(await store.renameRoom(`missing-${room.id}`, "x"), false);
    });

    it("deleteRoom marks a public or private room deleted and removes every member; the id stays taken", async () => {
      for (const type of ["public", "private"] as const) {
        const room = await store.createRoom(roomInput(type, "erin"));
        await store.addMember(room.id, "frank");
        assert.equal(await store.deleteRoom(room.id), true);
        assert.equal((await store.getRoom(room.id))?.type, "deleted");
        assert.deepEqual(await store.listMembers(room.id), []);
        assert.ok(!(await store.listRoomsOf("frank")).some((r) => r.id === room.id));
        assert.ok(!(await store.listPublicRooms(1000)).some((r) => r.id === room.id));
        assert.equal(await store.deleteRoom(room.id), false, "already deleted: nothing changed");
        await rejectsWith(store.createRoom({ ...roomInput(type, "erin"), id: room.id }), "ROOM_EXISTS");
      }
      const dm = await store.createRoom({ ...roomInput("public", "erin"), type: "dm", name: "" });
      assert.equal(await store.deleteRoom(dm.id), false, "a DM is never deleted");
      assert.equal(await store.isMember(dm.id, "erin"), true);
      assert.equal(await store.deleteRoom("missing-room"), false);
    });

    it("listUsers: members of any room, or of the rooms one user shares; text matches anywhere, case-insensitively", async () => {
      const tag = Math.random().toString(36).slice(2, 8);
      const [ann, bob, cy, dee] = ["ann", "bob", "cy", "dee"].map((n) => `u${tag}-${n}`) as [
        string,
        string,
        string,
        string,
      ];
      const shared = await store.createRoom(roomInput("private", ann));
      await store.addMember(shared.id, bob);
      const other = await store.createRoom(roomInput("public", cy));
      await store.addMember(other.id, dee);
      const all = await store.listUsers({ text: `u${tag}`, limit: 100 });
      assert.deepEqual(all, [ann, bob, cy, dee], "each once, by id");
      assert.deepEqual(await store.listUsers({ sharingWith: ann, text: `u${tag}`, limit: 100 }), [ann, bob]);
      assert.deepEqual(await store.listUsers({ sharingWith: ann, text: `U${tag}-B`, limit: 100 }), [bob]);
      assert.deepEqual(await store.listUsers({ text: `u${tag}`, limit: 2 }), [ann, bob]);
      assert.deepEqual(await store.listUsers({ text: `u${tag}_`, limit: 100 }), [], "`_` is literal, not a wildcard");
      assert.deepEqual(await store.listUsers({ text: "%", limit: 100 }), [], "`%` is literal");
      assert.deepEqual(await store.listUsers({ sharingWith: `nobody-${tag}`, limit: 100 }), []);
    });

    it("listMembers starts everyone at lastReadSeq 0", async () => {
      const room = await store.createRoom(roomInput("private", "erin"));
      await store.addMember(room.id, "frank");
      for (const m of await store.listMembers(room.id)) {
        assert.equal(m.room, room.id);
        assert.equal(m.lastReadSeq, 0);
        assert.ok(m.joinedAt > 0);
      }
      assert.deepEqual(await store.listMembers("no-such-room"), []);
    });

    it("setLastRead never moves a read position backwards", async () => {
      const room = await store.createRoom(roomInput("public", "gina"));
      const read = async () => (await store.listMembers(room.id)).find((m) => m.user === "gina")?.lastReadSeq;
      await store.setLastRead(room.id, "gina", 5);
      assert.equal(await read(), 5);
      await store.setLastRead(room.id, "gina", 3);
      assert.equal(await read(), 5);
      await store.setLastRead(room.id, "gina", 9);
      assert.equal(await read(), 9);
    });

    it("a read position is apart from membership: set before joining, kept across leaving and rejoining", async () => {
      const room = await store.createRoom(roomInput("private", "jack"));
      const position = async () => (await store.listMembers(room.id)).find((m) => m.user === "kim")?.lastReadSeq;
      await store.setLastRead(room.id, "kim", 4);
      assert.equal(await position(), undefined, "a read position makes nobody a member");
      await store.addMember(room.id, "kim");
      assert.equal(await position(), 4);
      await store.removeMember(room.id, "kim");
      await store.addMember(room.id, "kim");
      assert.equal(await position(), 4);
    });

    // Reopening needs durable storage.
    if (capabilities.durable) {
      it("everything written is there after reopening", async () => {
        const room = await store.createRoom(roomInput("public", "hank"));
        await store.addMember(room.id, "ivy");
        await store.setLastRead(room.id, "ivy", 7);
        store = await required(fx.reopen, "reopen").call(fx);
        assert.deepEqual(await store.getRoom(room.id), room);
        const ivy = (await store.listMembers(room.id)).find((m) => m.user === "ivy");
        assert.equal(ivy?.lastReadSeq, 7);
      });
    }
  });
}
