/**
 * The one cache of derived results (analyzes, campaign pages, lab lattices, model answers): named namespaces, each a
 * least-recently-used map with its own bound on entries, so a namespace of large values (whole lattices) keeps only
 * a few while one of small answers keeps hundreds.
 *
 * Keys of anything derived from the database start with `revisionKey` (db/queries.ts): the global data revision,
 * bumped inside the transaction of every write (import, re-import, delete, order lists), so a write makes every
 * older entry unreachable at once, in this process and in any other process reading the same database; and the
 * connection read through, so that two databases open in one process never share an entry. Stale
 * entries are not hunted down: they age out of their namespace's LRU order.
 *
 * No I/O here: the module is shared by server code and tests. `clearCache()` empties every namespace (tests).
 * The engine's own memos of pure computations (FFT plans, split lattices) depend on their arguments alone, not on
 * stored data: they use the same least-recently-used map (lib/engine/lru.ts).
 */
import { Lru } from "@/lib/engine/lru";

/** A namespace of the cache: a least-recently-used map (lib/engine/lru.ts) with a name for `cacheStats`. */
export class LruNamespace<V> extends Lru<string, V> {
  /**
   * @param name - the namespace's name (for `cacheStats`)
   * @param max - entries kept, integer >= 1; the least recently used goes first when a new one would pass it
   */
  constructor(
    readonly name: string,
    max: number,
  ) {
    super(max);
  }
}

const globalForCache = globalThis as unknown as { noisefloorCache?: Map<string, LruNamespace<unknown>> };
/** Kept on globalThis so development hot reload (and Next's separate module graphs per route) share one cache. */
const namespaces: Map<string, LruNamespace<unknown>> = (globalForCache.noisefloorCache ??= new Map());

/**
 * The namespace `name`, created with a bound of `max` entries on first use (later calls get the same one).
 *
 * @example const analyzes = cacheNamespace<DatasetAnalysis>("analysis", 64); analyzes.getOrCompute(key, run)
 */
export function cacheNamespace<V>(name: string, max: number): LruNamespace<V> {
  let ns = namespaces.get(name);
  if (!ns) namespaces.set(name, (ns = new LruNamespace<unknown>(name, max)));
  return ns as LruNamespace<V>;
}

/** Empties every namespace (tests; a fresh start after restoring a database file by hand). */
export function clearCache(): void {
  for (const ns of namespaces.values()) ns.clear();
}

/** Entries held per namespace, e.g. { analysis: 3, "lab-summary": 40 }. */
export function cacheStats(): Record<string, number> {
  return Object.fromEntries([...namespaces.values()].map((ns) => [ns.name, ns.size]));
}
