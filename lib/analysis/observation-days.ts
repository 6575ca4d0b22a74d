import type { CampaignObservationRow } from "@/db/queries";
import type { DayRow } from "@/lib/engine/estimate/types";

/**
 * A campaign's (or a segment's) observation rows, sorted by period, as the estimator's days: the first row decides.
 * Undated rows (ads, or rows covering a period) stay one unit each, with the periods they cover (null when one row
 * has none: the span is unknown); dated rows of one date (segments, next to each other) are summed, and undated
 * rows among dated ones (period totals) are left out.
 */
export function observationDays(rows: readonly CampaignObservationRow[]): { days: DayRow[]; periods: { start: string; end: string }[] | null } {
  const first = rows[0];
  const days: DayRow[] = [];
  if (first !== undefined && !(first[0] && first[0] === first[1])) {
    let periods: { start: string; end: string }[] | null = [];
    for (const [start, end, impressions, clicks, conversions, spend, revenue] of rows) {
      days.push({ date: null, impressions, clicks, conversions, spend, revenue });
      if (periods) {
        if (start && end && end >= start) periods.push({ start, end });
        else periods = null; // one row without a period: the campaign's span is unknown
      }
    }
    return { days, periods };
  }
  let prev: DayRow | undefined;
  for (const [start, end, impressions, clicks, conversions, spend, revenue] of rows) {
    if (!(start && start === end)) continue;
    if (prev !== undefined && prev.date === start) {
      prev.impressions = prev.impressions === null && impressions === null ? null : (prev.impressions ?? 0) + (impressions ?? 0);
      prev.clicks += clicks;
      prev.conversions += conversions;
      prev.spend += spend;
      prev.revenue = prev.revenue === null && revenue === null ? null : (prev.revenue ?? 0) + (revenue ?? 0);
    } else {
      prev = { date: start, impressions, clicks, conversions, spend, revenue };
      days.push(prev);
    }
  }
  return { days, periods: null };
}
