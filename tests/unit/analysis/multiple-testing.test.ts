import { describe, expect, it } from "vitest";
import { multipleTesting } from "@/lib/analysis/multiple-testing";
import { campaign } from "../export/fixtures";

describe("multipleTesting (the dataset's summary)", () => {
  it("counts flags, bounds what chance explains by judged x 0.1 and names the survivors", () => {
    const cs = [
      campaign("A", { verdict: { label: "worse", text: "", window: 7, observed: 2, expected: 20, lo90: 13, hi90: 27, pValue: 1e-6 } }),
      campaign("B", { verdict: { label: "better", text: "", window: 7, observed: 30, expected: 20, lo90: 13, hi90: 27, pValue: 0.08 } }),
      ...Array.from({ length: 8 }, (_, i) => campaign(`C${i}`, { verdict: { label: "within", text: "", window: 7, observed: 20, expected: 20, lo90: 13, hi90: 27, pValue: 0.5 + i / 20 } })),
      campaign("P", { verdict: { label: "poor-fit", text: "", window: 7, observed: 20, expected: 20, lo90: 13, hi90: 27, pValue: null } }),
    ];
    const m = multipleTesting(cs);
    expect(m.judged).toBe(10);
    expect(m.flagged).toBe(2);
    expect(m.expectedByChance).toBeCloseTo(1, 12);
    // BH at 0.1 with m = 10: 1e-6 <= 0.01 passes, 0.08 > 0.02 fails
    expect(m.survivors).toEqual(["A"]);
    expect(m.text).toContain("1 of them survives");
  });
});
