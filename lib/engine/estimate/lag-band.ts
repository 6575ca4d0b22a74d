/**
 * Conversion lag in the daily band: a day younger than the completeness curve's horizon holds only the conversions
 * that have arrived so far, so it is judged against the thinned law of its count (lib/engine/lag.ts, exact binomial
 * thinning of the day's one-step-ahead predictive by its completeness F(age)), and the law of its final count given
 * what arrived is reported beside it.
 *
 * How young days enter the rest of the estimate: the drifting rate learns from a provisional day as from F x its
 * clicks (scaleProvisional), so its partial count informs the rate without pulling it down; provisional days are not
 * scored by the calibration (its coverage is about complete days), and the fixed-rate model, the dispersion test and
 * the correlation across campaigns use complete days only. Days at or past the horizon (F >= 0.99) are taken as
 * complete.
 */
import { z } from "zod";
import { finalGivenArrived, summarise, thinCount, type CountSummary } from "../lag";
import type { BandDay } from "./calibration";
import { centralInterval, cumulative, pointMassAtZero } from "./discrete";
import { dayDistribution, type DriftFilter } from "./drift";
import type { DayRow } from "./types";

/** A day's conversion-lag figures. */
export interface DayLag {
  /** Days between the day and the as-of date (0 = the as-of date itself). */
  age: number;
  /** F(age): the share of the day's final conversions arrived by now (1 for days taken as complete). */
  completeness: number;
  /** Younger than the curve's horizon (F < 0.99): judged against the thinned law. */
  provisional: boolean;
  /** The day's final count given what has arrived (for a complete day, the count itself). */
  expectedFinal: CountSummary;
}

/**
 * The lag option of the estimate: the as-of date ages are counted from, and F(age) for the provisional ages
 * 0 .. fractions.length - 1 (older days are complete).
 */
export const LagOptionSchema = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "asOf must be an ISO date YYYY-MM-DD"),
  fractions: z.array(z.number().gt(0, "a completeness must be > 0").max(1, "a completeness must be <= 1")).max(3650),
});
export type LagOption = z.infer<typeof LagOptionSchema>;

/**
 * Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (UTC calendar), read from its digit codes and counted in whole
 * days (Hinnant's days_from_civil: no substring, number parse or Date call per row, on a year of days for 1,000
 * campaigns); NaN when it is not of that form. A year below 100 (which Date.UTC reads as 19xx), a month outside
 * 1..12 or a day outside 1..31 goes to Date.UTC, as before.
 * Reference: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (days_from_civil).
 * @example isoDay("1970-01-08") // 7
 */
function isoDay(date: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return NaN;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    const c = date.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return NaN;
    y = 10 * y + c;
  }
  const m1 = date.charCodeAt(5) - 48;
  const m2 = date.charCodeAt(6) - 48;
  const d1 = date.charCodeAt(8) - 48;
  const d2 = date.charCodeAt(9) - 48;
  if (!(m1 >= 0 && m1 <= 9 && m2 >= 0 && m2 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) return NaN;
  const m = 10 * m1 + m2;
  const d = 10 * d1 + d2;
  if (y < 100 || m < 1 || m > 12 || d < 1 || d > 31) return Date.UTC(y, m - 1, d) / 86_400_000;
  // days_from_civil: years counted from March, so the leap day ends a year
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Ages and completeness of dated rows under a lag option: F(age) for ages below the horizon, else 1. */
export interface RowLag {
  ages: Int32Array;
  fractions: Float64Array;
  /** Rows with F < 1 (younger than the horizon). */
  provisional: number;
}

/**
 * Each row's age from `lag.asOf` and its completeness: fractions[age] for 0 <= age < fractions.length, fractions[0]
 * for a day after the as-of date (it cannot be older than the newest day), 1 from the horizon on.
 * @example rowLag(rows, { asOf: rows.at(-1).date, fractions: [0.15, 0.4] }).fractions.at(-1) // 0.15
 */
export function rowLag(rows: readonly DayRow[], lag: LagOption): RowLag {
  const ages = new Int32Array(rows.length);
  const fractions = new Float64Array(rows.length);
  let provisional = 0;
  const asOf = isoDay(lag.asOf);
  rows.forEach((r, i) => {
    // whole days from the row's date to the as-of date; negative for a day after it
    const age = r.date === null ? Infinity : asOf - isoDay(r.date);
    ages[i] = Number.isFinite(age) ? Math.max(0, age) : 1 << 30;
    const f = age < lag.fractions.length ? (lag.fractions[Math.max(0, age)] as number) : 1;
    fractions[i] = f;
    if (f < 1) provisional++;
  });
  return { ages, fractions, provisional };
}

/**
 * The rows the drifting rate learns from: a provisional row (F < 1) enters as F x its clicks with its arrived
 * conversions. For the Poisson base this is the exact likelihood (arrived ~ Poisson(F n lambda): the Gamma update
 * adds y and F n). For the binomial base (arrived ~ Binomial(n, F p)) it is the binomial with F n trials, the same
 * mean F n p and a variance F n p (1 - p) against F n p (1 - F p); the arrived count is capped at F n there so the
 * base stays binomial. Rows with F = 1 are unchanged.
 * @param fractions - F of each row (same order), 1 for complete rows.
 * @example scaleProvisional([{ ..., clicks: 400, conversions: 3 }], [0.25])[0].clicks // 100
 */
export function scaleProvisional(rows: readonly DayRow[], fractions: ArrayLike<number>): DayRow[] {
  const poisson = rows.some((r) => r.conversions > r.clicks);
  return rows.map((r, i) => {
    const f = (fractions[i] as number | undefined) ?? 1;
    if (f >= 1) return r;
    const clicks = f * r.clicks;
    return { ...r, clicks, conversions: poisson ? r.conversions : Math.min(r.conversions, clicks) };
  });
}

/**
 * The daily band with the lag figures: complete days as the calibration drew them (with `lag` saying so), and every
 * provisional day t drawn against its thinned predictive: the day law dayDistribution(state, clicks_t) from the
 * filter's state before t (for a warm-up day, the first scored day's state, as the calibration draws warm-up days),
 * thinned by F(age_t) (thinCount), with its 50% and 90% central bands, its position, and the final count's law
 * given the arrived count (finalGivenArrived). Provisional days are not scored.
 * @param band - the calibration's band over the masked rows (one entry per row, same order).
 * @param rows - the rows as observed. @param warmupDays - the calibration's warm-up.
 * @example lagBand(drift.band, rows, rowLag(rows, lag), drift.filter, 14).at(-1)?.lag?.provisional // true
 */
export function lagBand(band: readonly BandDay[], rows: readonly DayRow[], lag: RowLag, filter: DriftFilter, warmupDays: number): BandDay[] {
  const T = rows.length;
  return band.map((b, t) => {
    const row = rows[t] as DayRow;
    const f = lag.fractions[t] as number;
    const age = lag.ages[t] as number;
    const y = Math.round(row.conversions);
    if (f >= 1) return { ...b, lag: { age, completeness: 1, provisional: false, expectedFinal: { mean: row.conversions, lo90: y, hi90: y } } };
    const state = filter.stateBefore(t >= warmupDays ? t : Math.min(warmupDays, T));
    const usable = state.a > 0 && state.b > 0 && row.clicks > 0;
    const prior = usable ? dayDistribution(state, row.clicks) : pointMassAtZero();
    const arrived = thinCount(prior, f);
    const cum = cumulative(arrived);
    const b50 = centralInterval(arrived, 0.5, cum);
    const b90 = centralInterval(arrived, 0.9, cum);
    return {
      date: row.date,
      clicks: row.clicks,
      conversions: row.conversions,
      expected: arrived.mean,
      lo50: b50.lo,
      hi50: b50.hi,
      lo90: b90.lo,
      hi90: b90.hi,
      position: y < b90.lo ? "below" : y > b90.hi ? "above" : "inside",
      warmup: t < warmupDays,
      scored: false,
      lag: { age, completeness: f, provisional: true, expectedFinal: summarise(finalGivenArrived(prior, f, y)) },
    };
  });
}
