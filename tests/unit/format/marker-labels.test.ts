import { describe, expect, it } from "vitest";
import { labelWidth, placeMarkerLabels } from "@/app/_components/marker-labels";

// Widths are 6.2 px per character (the module's estimate), so "5%" is 12.4 px wide, "95%" 18.6 px.
describe("placeMarkerLabels", () => {
  it("centres a label on its line when there is room", () => {
    expect(placeMarkerLabels([{ px: 50, text: "5%", row: 0 }], 0, 100)[0]!.cx).toBe(50);
  });
  it("moves a label near an edge inside the plot", () => {
    expect(placeMarkerLabels([{ px: 2, text: "5%", row: 0 }], 0, 100)[0]!.cx).toBeCloseTo(6.2, 12); // tolerance: float rounding
    expect(placeMarkerLabels([{ px: 99, text: "95%", row: 0 }], 0, 100)[0]!.cx).toBeCloseTo(100 - 9.3, 12);
  });
  it("pushes two labels on one row apart by half their widths plus 6 px", () => {
    const [a, b] = placeMarkerLabels(
      [
        { px: 50, text: "5%", row: 0 },
        { px: 52, text: "95%", row: 0 },
      ],
      0,
      200,
    );
    expect(b!.cx - a!.cx).toBeCloseTo((labelWidth("5%") + labelWidth("95%")) / 2 + 6, 12);
    expect((a!.cx + b!.cx) / 2).toBeCloseTo(51, 12); // around their midpoint
  });
  it("leaves labels on different rows where they are", () => {
    const out = placeMarkerLabels(
      [
        { px: 50, text: "5%", row: 0 },
        { px: 50, text: "mean 3", row: 1 },
      ],
      0,
      200,
    );
    expect(out.map((l) => l.cx)).toEqual([50, 50]);
  });
  it("drops labels without a position", () => {
    expect(placeMarkerLabels([{ px: Number.NaN, text: "x", row: 0 }], 0, 100)).toEqual([]);
  });
});
