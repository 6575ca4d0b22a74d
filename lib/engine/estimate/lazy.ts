/**
 * Arrays built when first read: the estimation layer returns per-day rows for every campaign of a dataset, most of
 * which no page reads; their numbers are kept in typed tables and the objects made on demand.
 */

/**
 * Defines `obj[key]` as an enumerable property whose array is built by `build` when first read (then kept), and
 * which an assignment replaces: reading, spreading, JSON.stringify and structuredClone see a plain array.
 */
export function lazyArray<T extends object, K extends keyof T & string>(obj: T, key: K, build: () => T[K]): void {
  let value: T[K] | undefined;
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => (value ??= build()),
    set: (v: T[K]) => {
      value = v;
    },
  });
}
