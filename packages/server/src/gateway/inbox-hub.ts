/**
 * The inboxes of one gateway and which log events each is offered. Every gateway reads every
 * event, so each keeps its own inboxes current, whichever gateway took the request or the publish.
 * An event reaches only the inboxes that follow its room, the inboxes of the users a membership
 * change names, and those of a DM's two users: in a big room that is one map lookup and, per
 * local inbox of a member, one count update; never a store query per member.
 */
import { dmUsers, membershipOf, type RoomEvent } from "@parley/protocol";
import type { UserInbox } from "./inbox.js";

export class InboxHub {
  private readonly byRoom = new Map<string, Set<UserInbox>>();
  private readonly byUser = new Map<string, Set<UserInbox>>();
  /** Inboxes reading their snapshot: offered every event, since they do not follow their rooms yet. */
  private readonly loading = new Set<UserInbox>();
  private open = 0;

  /** `onCount` is told the number of open inboxes whenever it changes. */
  /** Per followed room, what ends the log's interest in it (`followRoom`). */
  private readonly unfollow = new Map<string, () => void>();

  /**
   * `onCount` is told the number of open inboxes whenever it changes; `followRoom` of a room some inbox
   * follows first, and returns what to call when none does (the log's interest: EventLog.interest).
   */
  constructor(
    private readonly onCount: (inboxes: number) => void = () => {},
    private readonly followRoom: (room: string) => () => void = () => () => {},
  ) {}

  /** An inbox opened: it is offered every event until `loaded`. */
  add(inbox: UserInbox): void {
    this.loading.add(inbox);
    addTo(this.byUser, inbox.user, inbox);
    this.onCount(++this.open);
  }

  /** Its snapshot was read (or failed): from now on it is offered only what concerns it. */
  loaded(inbox: UserInbox): void {
    this.loading.delete(inbox);
  }

  remove(inbox: UserInbox): void {
    this.loading.delete(inbox);
    if (removeFrom(this.byUser, inbox.user, inbox)) this.onCount(--this.open);
    inbox.close(); // unfollows its rooms
  }

  /** The inbox follows `room` (or stops). */
  follow(inbox: UserInbox, room: string, on: boolean): void {
    if (on) {
      if (!this.byRoom.has(room)) this.unfollow.set(room, this.followRoom(room));
      addTo(this.byRoom, room, inbox);
    } else if (removeFrom(this.byRoom, room, inbox) && !this.byRoom.has(room)) {
      this.unfollow.get(room)?.();
      this.unfollow.delete(room);
    }
  }

  /** Offers a log event to every inbox it may concern. */
  publish(event: RoomEvent): void {
    if (this.open === 0) return; // the usual case of a node without inbox clients costs one comparison
    const targets = new Set<UserInbox>(this.loading);
    for (const inbox of this.byRoom.get(event.room) ?? []) targets.add(inbox);
    for (const user of usersNamed(event)) for (const inbox of this.byUser.get(user) ?? []) targets.add(inbox);
    for (const inbox of targets) inbox.offer(event);
  }

  /** Open inboxes. */
  get size(): number {
    return this.open;
  }
}

/** The users an event may bring a room to (or take it from) without their inbox following it yet. */
function usersNamed(event: RoomEvent): readonly string[] {
  const m = membershipOf(event);
  if (m?.type === "member.joined" || m?.type === "member.left") return [m.user];
  if (m?.type === "room.created" || m?.type === "room.private") return m.members;
  return dmUsers(event.room) ?? [];
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

/** Removes `value` from the set at `key`; true when it was there. */
function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set?.delete(value)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
