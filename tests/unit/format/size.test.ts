import { describe, expect, it } from "vitest";
import { formatSize } from "@/lib/format";

describe("formatSize", () => {
  it("prints binary KB and MB with at most the given decimals", () => {
    expect(formatSize(12 * 1048576, "MB", 1)).toBe("12 MB");
    expect(formatSize(12.34 * 1048576, "MB", 1)).toBe("12.3 MB");
    expect(formatSize(1536, "KB", 1)).toBe("1.5 KB");
    expect(formatSize(40_960, "KB")).toBe("40 KB");
    expect(formatSize(2_000_000_000, "KB")).toBe("1,953,125 KB");
  });

  it("prints the number alone when asked, and a dash for a missing size", () => {
    expect(formatSize(12_288, "KB", 0, false)).toBe("12");
    expect(formatSize(Number.NaN, "MB")).toBe("–");
    expect(formatSize(null, "KB")).toBe("–");
  });
});
