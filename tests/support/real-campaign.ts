/**
 * The real daily campaign beside the project (../shared/data/ads/real_daily_one_campaign.csv: one display campaign,
 * 91 days from 2020-04-01 to 2020-06-30, 6,877 rows of day x banner x placement, from the public "online advertising
 * performance" data set), summed per day with the mapping of ../shared/README.md: date=report_date,
 * impressions=displays, clicks=clicks, conversions=post_click_conversions, spend=cost,
 * revenue=post_click_sales_amount. Never copied into the project; callers skip when it is absent and read it inside
 * their tests, never while vitest collects.
 */
import fs from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import type { DayRow } from "@/lib/engine/estimate";

export const REAL_CAMPAIGN = path.resolve(__dirname, "../../../shared/data/ads/real_daily_one_campaign.csv");

/** The campaign's days, sorted by date. */
export function readRealCampaignDays(file = REAL_CAMPAIGN): DayRow[] {
  const parsed = Papa.parse<Record<string, string>>(fs.readFileSync(file, "utf8"), { header: true, skipEmptyLines: true });
  const byDate = new Map<string, DayRow & { impressions: number }>();
  for (const r of parsed.data) {
    const date = r.report_date ?? "";
    const d = byDate.get(date) ?? { date, impressions: 0, clicks: 0, conversions: 0, spend: 0, revenue: 0 };
    d.impressions += Number(r.displays);
    d.clicks += Number(r.clicks);
    d.conversions += Number(r.post_click_conversions);
    d.spend += Number(r.cost);
    d.revenue = (d.revenue ?? 0) + Number(r.post_click_sales_amount);
    byDate.set(date, d);
  }
  return [...byDate.values()].sort((x, y) => ((x.date ?? "") < (y.date ?? "") ? -1 : 1));
}
