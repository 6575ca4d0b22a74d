import { describe, expect, it } from "vitest";
import { labelWidth, placeMarkerLabels, stackMarkerLabels } from "@/app/_components/marker-labels";

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

describe("stackMarkerLabels", () => {
  // The analogies' collar chart on the real daily campaign, in the chart's own pixels: two means on one line, two
  // worst-5% averages near the left edge of a plot from 50 to 536 px. With three rows the second average was drawn
  // over the first; with a row per label none overlaps.
  const items = [
    { px: 249, text: "mean 3,645,980" },
    { px: 249, text: "mean 3,645,980" },
    { px: 112, text: "worst-5% average 2,302,657" },
    { px: 135, text: "worst-5% average 2,527,500" },
  ];
  const overlaps = (placed: { cx: number; row: number }[]) => {
    const found: string[] = [];
    placed.forEach((a, i) =>
      placed.slice(i + 1).forEach((b, k) => {
        const [wa, wb] = [labelWidth(items[i]!.text), labelWidth(items[i + 1 + k]!.text)];
        if (a.row === b.row && Math.abs(a.cx - b.cx) < (wa + wb) / 2) found.push(`${i} and ${i + 1 + k}`);
      }),
    );
    return found;
  };
  it("gives every label a place of its own when it has a row per label", () => {
    const placed = stackMarkerLabels(items, 50, 536, items.length);
    expect(overlaps(placed)).toEqual([]);
    expect(placed.map((p) => p.row)).toEqual([0, 1, 2, 3]);
    // each stays within the plot
    placed.forEach((p, i) => {
      expect(p.cx - labelWidth(items[i]!.text) / 2).toBeGreaterThanOrEqual(50);
      expect(p.cx + labelWidth(items[i]!.text) / 2).toBeLessThanOrEqual(536);
    });
  });
  it("puts labels that clear each other on one row", () => {
    expect(stackMarkerLabels([{ px: 100, text: "5%" }, { px: 300, text: "95%" }], 0, 400, 2).map((p) => p.row)).toEqual([0, 0]);
  });
  it("with too few rows, stacks the last label over another (what the chart no longer allows)", () => {
    expect(overlaps(stackMarkerLabels(items, 50, 536, 3))).toEqual(["2 and 3"]);
  });
});
