/**
 * The one least-recently-used map of the project, with a bound on its entries: the engine's memos of pure
 * computations (FFT plans, split lattices and grid transforms) and the namespaces of the cache of derived results
 * (lib/analysis/cache.ts) are all instances of it. It lives in the engine, the bottom layer, because the engine
 * imports nothing from outside its folder (tests/unit/engine/boundary.test.ts). No I/O.
 */

/** A least-recently-used map of at most `max` entries. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  /** @param max - entries kept, integer >= 1; the least recently used goes first when a new one would pass it */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`);
  }

  /** The value under `key` (marked as just used), or undefined. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Stores `value` under `key` (as just used) and returns it. */
  set(key: K, value: V): V {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return value;
  }

  /** The cached value, or `compute()`'s (stored; an exception is not stored and propagates). */
  getOrCompute(key: K, compute: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    return this.set(key, compute());
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
