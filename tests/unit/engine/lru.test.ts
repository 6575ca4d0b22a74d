import { describe, expect, it } from "vitest";
import { Lru } from "@/lib/engine/lru";

// The namespaces of lib/analysis/cache.ts are Lru instances: tests/unit/analysis/cache.test.ts covers get, set,
// getOrCompute and the bound through them. Here: keys that are not strings, as the engine's FFT plans use.
describe("Lru", () => {
  it("keys by number and drops the least recently used past its bound", () => {
    const plans = new Lru<number, string>(2);
    plans.set(1024, "a");
    plans.set(2048, "b");
    plans.get(1024);
    plans.set(4096, "c"); // 2048 was least recently used
    expect(plans.get(2048)).toBeUndefined();
    expect(plans.get(1024)).toBe("a");
    expect(plans.get(4096)).toBe("c");
  });

  it("replaces a value under an existing key without dropping another", () => {
    const lru = new Lru<string, number>(2);
    lru.set("x", 1);
    lru.set("y", 2);
    lru.set("x", 3);
    expect(lru.size).toBe(2);
    expect(lru.get("y")).toBe(2);
    expect(lru.get("x")).toBe(3);
  });
});
