/** A listener for one event payload. */
export type Listener<T> = (payload: T) => void;

/**
 * A tiny typed emitter. Listeners run synchronously in registration order, so
 * the order of events an app observes is the order the client processed them.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  /** Adds a listener that is removed after its first call. */
  once<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(name, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Removes a listener added with `on`. */
  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(name)?.delete(listener as Listener<never>);
  }

  /** Calls every listener of `name` with `payload`. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    // Copy first: a listener may remove itself (once) while we iterate.
    for (const listener of [...set]) (listener as Listener<Events[K]>)(payload);
  }

  /** Number of listeners for `name`, so callers can tell whether anyone listens. */
  listenerCount(name: keyof Events): number {
    return this.#listeners.get(name)?.size ?? 0;
  }
}
