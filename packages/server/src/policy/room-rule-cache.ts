import type { Room, Store } from "../store/store.js";

/** Bounds of the room rule cache. */
export interface RoomRuleCacheOptions {
  /** How long an answer is reused: the longest a change made elsewhere goes unseen. The composition picks it. */
  readonly ttlMs: number;
  /** Most cached answers (rooms plus memberships); the oldest go first. */
  readonly maxEntries: number;
  /** The clock, in ms; tests pass their own so that expiry never depends on the machine's speed. */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: T;
  readonly expires: number;
}

/** A store read in flight; callers that arrive while it runs share it. */
interface Loading<T> {
  readonly promise: Promise<T>;
  /** The clock when the read began: its answer is no older than that. */
  readonly began: number;
}

/** Which answer a read is for: its key, its room, and when it began. */
interface ReadAt {
  readonly key: string;
  readonly room: string;
  readonly began: number;
}

/** One kind of answer (room rules or memberships): what is cached and what is being read. */
class Answers<T> {
  readonly entries = new Map<string, Entry<T>>();
  readonly loading = new Map<string, Loading<T>>();

  /** Forgets every answer whose key `matches`, cached or being read. */
  forget(matches: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
    for (const key of this.loading.keys()) if (matches(key)) this.loading.delete(key);
  }
}

/** The answers `authorize` asks for on every publish and subscribe: a room's rule and a user's membership. */
export class RoomRuleCache {
  private readonly rooms = new Answers<Room | undefined>();
  private readonly members = new Answers<boolean>();
  /** Bumped by every invalidation of a room, so a read that began before it does not cache a stale answer. */
  private readonly generations = new Map<string, number>();

  constructor(private readonly options: RoomRuleCacheOptions) {}

  room(id: string, load: () => Promise<Room | undefined>): Promise<Room | undefined> {
    return this.cached(this.rooms, id, id, load);
  }

  member(room: string, user: string, load: () => Promise<boolean>): Promise<boolean> {
    return this.cached(this.members, `${room}\u0000${user}`, room, load);
  }

  /** Forgets everything about `room` (its rule and every membership in it), reads in flight included. */
  invalidate(room: string): void {
    this.generations.set(room, (this.generations.get(room) ?? 0) + 1);
    this.rooms.forget((key) => key === room);
    const prefix = `${room}\u0000`;
    this.members.forget((key) => key.startsWith(prefix));
  }

  get size(): number {
    return this.rooms.entries.size + this.members.entries.size;
  }

  /**
   * The cached answer, else a read of the store that callers arriving meanwhile share. Without the
   * sharing, an answer expiring under load sent every waiting publish to the store at once; once
   * those reads took longer than the TTL every answer arrived already expired, and the store was read
   * on every publish (Kafka mode, 1 s TTL: checks queued for seconds behind the PostgreSQL pool).
   * An answer used in the second half of its TTL is read again in the background (refresh-ahead),
   * so a busy room's publishes never wait for the store: each waited once per TTL, the tail of
   * every publish latency percentile.
   */
  private cached<T>(answers: Answers<T>, key: string, room: string, load: () => Promise<T>): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    const hit = answers.entries.get(key);
    const shared = answers.loading.get(key);
    if (hit && hit.expires > now) {
      if (!shared && hit.expires - now < this.options.ttlMs / 2)
        this.start(answers, { key, room, began: now }, load).catch(() => {});
      return Promise.resolve(hit.value);
    }
    // A read that began within the TTL is as fresh as a cached answer may be.
    if (shared && shared.began + this.options.ttlMs > now) return shared.promise;
    return this.start(answers, { key, room, began: now }, load);
  }

  /** Starts a read that later callers may share. */
  private start<T>(answers: Answers<T>, at: ReadAt, load: () => Promise<T>): Promise<T> {
    const promise = this.read(answers, at, load).finally(() => {
      if (answers.loading.get(at.key)?.promise === promise) answers.loading.delete(at.key);
    });
    answers.loading.set(at.key, { promise, began: at.began });
    return promise;
  }

  /** Reads through `load` and keeps the answer until `began + ttlMs`, unless the room changed meanwhile. */
  private async read<T>(answers: Answers<T>, at: ReadAt, load: () => Promise<T>): Promise<T> {
    const generation = this.generations.get(at.room) ?? 0;
    const value = await load();
    if ((this.generations.get(at.room) ?? 0) !== generation) return value;
    answers.entries.delete(at.key);
    answers.entries.set(at.key, { value, expires: at.began + this.options.ttlMs });
    this.bound(answers.entries);
    return value;
  }

  private bound<T>(map: Map<string, Entry<T>>): void {
    while (this.size > this.options.maxEntries) {
      const oldest = map.keys().next();
      if (oldest.done) return;
      map.delete(oldest.value);
    }
    // Generations only matter while a read is in flight; keep the map from growing without bound.
    if (this.generations.size > this.options.maxEntries) this.generations.clear();
  }
}

/** Store methods that change what the cache answers, by the room argument they change. */
const MUTATIONS = ["createRoom", "addMember", "removeMember", "renameRoom", "deleteRoom"] as const;

/** A Store whose room rules are cached; `forgetRoom` drops one room's answers. */
export interface CachedStore extends Store {
  /** Forgets `room`'s rule and memberships: it changed elsewhere (the gateway learns it from the log). */
  forgetRoom(room: string): void;
}

/**
 * `store` with `getRoom` and `isMember` answered from a RoomRuleCache; every
 * room change made through it (create, rename, delete, add or remove a member) drops that
 * room's answers before and after it runs. Changes made elsewhere (another
 * gateway, another process on the same database) show after at most `ttlMs`,
 * or at once when `forgetRoom` is told (access changes, from the log).
 * Every other method is the store's own.
 */
export function withRoomRuleCache(store: Store, options: RoomRuleCacheOptions): CachedStore {
  const cache = new RoomRuleCache(options);
  const overrides = new Map<PropertyKey, unknown>([
    ["getRoom", (id: string) => cache.room(id, () => store.getRoom(id))],
    ["isMember", (room: string, user: string) => cache.member(room, user, () => store.isMember(room, user))],
    ["forgetRoom", (room: string) => cache.invalidate(room)],
  ]);
  for (const name of MUTATIONS) {
    const original = store[name] as (first: unknown, ...rest: unknown[]) => Promise<unknown>;
    overrides.set(name, async (first: unknown, ...rest: unknown[]) => {
      const room = typeof first === "string" ? first : (first as { id: string }).id;
      cache.invalidate(room);
      try {
        return await original.call(store, first, ...rest);
      } finally {
        cache.invalidate(room);
      }
    });
  }
  return new Proxy(store as CachedStore, {
    get(target, prop) {
      if (overrides.has(prop)) return overrides.get(prop);
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      overrides.set(prop, bound);
      return bound;
    },
  });
}
