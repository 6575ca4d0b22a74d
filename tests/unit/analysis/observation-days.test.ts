import { describe, expect, it } from "vitest";
import type { CampaignObservationRow } from "@/db/queries";
import { observationDays } from "@/lib/analysis/observation-days";

// [period_start, period_end, impressions, clicks, conversions, spend, revenue]
const row = (start: string | null, end: string | null, clicks: number, conversions: number, revenue: number | null = null, impressions: number | null = null): CampaignObservationRow => [
  start,
  end,
  impressions,
  clicks,
  conversions,
  clicks * 0.5,
  revenue,
];

describe("observationDays", () => {
  it("sums the segments of one date and keeps dates apart, with no periods", () => {
    const { days, periods } = observationDays([
      row("2024-01-01", "2024-01-01", 10, 1, 20, 100),
      row("2024-01-01", "2024-01-01", 5, 2, null, null),
      row("2024-01-02", "2024-01-02", 7, 0, null, null),
    ]);
    expect(periods).toBeNull();
    expect(days).toEqual([
      { date: "2024-01-01", impressions: 100, clicks: 15, conversions: 3, spend: 7.5, revenue: 20 },
      { date: "2024-01-02", impressions: null, clicks: 7, conversions: 0, spend: 3.5, revenue: null },
    ]);
  });

  it("leaves out period totals among dated rows (the first row is dated)", () => {
    const { days } = observationDays([row("2024-01-01", "2024-01-01", 10, 1), row("2024-01-01", "2024-01-31", 300, 30), row("2024-01-02", "2024-01-02", 4, 1)]);
    expect(days.map((d) => [d.date, d.clicks])).toEqual([
      ["2024-01-01", 10],
      ["2024-01-02", 4],
    ]);
  });

  it("keeps undated rows one unit each, with the periods they cover, or null when one row has none", () => {
    const covered = observationDays([row("2024-01-01", "2024-01-28", 10, 1), row("2024-02-01", "2024-02-29", 12, 2)]);
    expect(covered.days.map((d) => [d.date, d.clicks])).toEqual([
      [null, 10],
      [null, 12],
    ]);
    expect(covered.periods).toEqual([
      { start: "2024-01-01", end: "2024-01-28" },
      { start: "2024-02-01", end: "2024-02-29" },
    ]);
    const unknown = observationDays([row("2024-01-01", "2024-01-28", 10, 1), row(null, null, 3, 0)]);
    expect(unknown.days).toHaveLength(2);
    expect(unknown.periods).toBeNull();
  });

  it("gives no days for no rows", () => {
    expect(observationDays([])).toEqual({ days: [], periods: null });
  });
});
