import { describe, expect, it } from "vitest";
import { formatFixed, formatSize } from "@/lib/format";

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

describe("formatFixed", () => {
  it("keeps exactly the given decimals, with separators, and no minus on a zero", () => {
    expect(formatFixed(0.25, 3)).toBe("0.250");
    expect(formatFixed(1, 3)).toBe("1.000");
    expect(formatFixed(1234.5, 0)).toBe("1,235");
    expect(formatFixed(4.04, 1)).toBe("4.0");
    expect(formatFixed(-0.0001, 2)).toBe("0.00");
    expect(formatFixed(-1.25, 1)).toBe("-1.3");
    expect(formatFixed(Number.POSITIVE_INFINITY, 2)).toBe("–");
  });

  it("prints what toFixed prints below a thousand (the text the pages showed before)", () => {
    for (const [x, d] of [[0.123, 3], [12.345, 2], [99.95, 1], [0.5, 0], [7, 1], [0.0456, 4]] as const) {
      expect(formatFixed(x, d)).toBe(x.toFixed(d));
    }
  });
});
