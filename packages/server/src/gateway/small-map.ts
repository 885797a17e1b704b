/**
 * A Map for the few entries a session holds (its subscriptions: usually one).
 * One entry lives in two fields; a Map with its hash table (≈ 180 bytes,
 * about 4 % of an idle connection) is made only for a second entry.
 * The subset of Map's API the gateway uses, with the same semantics,
 * including insertion order.
 */
export class SmallMap<K, V> {
  private key: K | undefined;
  private value: V | undefined;
  private one = false;
  private map: Map<K, V> | undefined;

  get size(): number {
    return this.map ? this.map.size : this.one ? 1 : 0;
  }

  get(key: K): V | undefined {
    if (this.map) return this.map.get(key);
    return this.one && this.key === key ? this.value : undefined;
  }

  has(key: K): boolean {
    if (this.map) return this.map.has(key);
    return this.one && this.key === key;
  }

  set(key: K, value: V): this {
    if (this.map) this.map.set(key, value);
    else if (!this.one || this.key === key) {
      this.key = key;
      this.value = value;
      this.one = true;
    } else {
      this.map = new Map([[this.key as K, this.value as V]]);
      this.map.set(key, value);
      this.drop();
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.map) return this.map.delete(key);
    if (!this.one || this.key !== key) return false;
    this.drop();
    return true;
  }

  clear(): void {
    this.map = undefined;
    this.drop();
  }

  values(): IterableIterator<V> | V[] {
    if (this.map) return this.map.values();
    return this.one ? [this.value as V] : [];
  }

  private drop(): void {
    this.key = undefined;
    this.value = undefined;
    this.one = false;
  }
}
