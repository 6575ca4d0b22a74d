import { describe, expect, it } from "vitest";
import { cacheNamespace, cacheStats, clearCache, LruNamespace } from "@/lib/analysis/cache";

describe("LruNamespace", () => {
  it("keeps at most max entries, dropping the least recently used", () => {
    const ns = new LruNamespace<number>("t", 2);
    ns.set("a", 1);
    ns.set("b", 2);
    expect(ns.get("a")).toBe(1); // a is now the most recent
    ns.set("c", 3); // b goes
    expect(ns.get("b")).toBeUndefined();
    expect(ns.get("a")).toBe(1);
    expect(ns.get("c")).toBe(3);
    expect(ns.size).toBe(2);
  });

  it("computes once per key and does not store a failure", () => {
    const ns = new LruNamespace<number>("t", 4);
    let calls = 0;
    const f = () => ++calls;
    expect(ns.getOrCompute("k", f)).toBe(1);
    expect(ns.getOrCompute("k", f)).toBe(1);
    expect(calls).toBe(1);
    expect(() =>
      ns.getOrCompute("bad", () => {
        throw new Error("no");
      }),
    ).toThrow("no");
    expect(ns.get("bad")).toBeUndefined();
  });

  it("refuses a bound below 1", () => {
    expect(() => new LruNamespace("t", 0)).toThrow(RangeError);
  });
});

describe("cacheNamespace and clearCache", () => {
  it("gives one namespace per name, and clearCache empties them all", () => {
    const a = cacheNamespace<string>("test-a", 8);
    expect(cacheNamespace<string>("test-a", 8)).toBe(a);
    const b = cacheNamespace<string>("test-b", 8);
    a.set("x", "1");
    b.set("y", "2");
    expect(cacheStats()["test-a"]).toBe(1);
    clearCache();
    expect(a.get("x")).toBeUndefined();
    expect(b.get("y")).toBeUndefined();
    expect(cacheStats()["test-b"]).toBe(0);
  });
});
