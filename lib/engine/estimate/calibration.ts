/**
 * Does the model's noise band hold on the campaign's own history? One filtering pass (lib/engine/estimate/drift.ts)
 * forecasts every day from the days before it; the same one-step-ahead band is scored here and drawn on the daily
 * chart, so the share of days inside the chart's 90% band is the `coverage90` the tables report.
 */
import { betaBinomialInto, centralInterval, cumulative, negativeBinomialInto, type CountDistribution, type ScratchPmf } from "./discrete";
import { dayDistribution, driftFilter, shockedConcentration, type DriftFilter } from "./drift";
import { predictiveCounts, rateModel, type RateModel } from "./predictive";
import { lazyArray } from "./lazy";
import { seededRandom } from "./rng";
import { pitInside, scoreCount, type CountScore } from "./calibration-score";
import type { DayLag } from "./lag-band";
import type { DayRow } from "./types";

/**
 * When the model is said not to fit a campaign: at least `minDays` scored days and a PIT coverage of the 90% band
 * outside [lo, hi]. With 60 days a calibrated model's PIT coverage has sd ~0.039 (sqrt(0.9 x 0.1 / 60)), so a
 * correct model lands outside [0.80, 0.97] on about 4% of campaigns (mostly on the high side).
 */
const FIT_CHECK = { minDays: 60, lo: 0.8, hi: 0.97 } as const;

/** One day scored against its one-step-ahead predictive law. */
export interface CalibrationDay {
  date: string;
  clicks: number;
  /** As observed (may be fractional); scored rounded to the nearest integer. */
  conversions: number;
  /** Predictive mean. */
  expected: number;
  lo50: number;
  hi50: number;
  lo80: number;
  hi80: number;
  lo90: number;
  hi90: number;
  /** The (rounded) count lies in the drawn discrete band [lo90, hi90]. */
  inside90: boolean;
  inside50: boolean;
  /** Randomised PIT (seeded): uniform on (0, 1) when the predictive is right. */
  pit: number;
  /** Ranked probability score of the day. */
  rps: number;
  /**
   * Predictive used: "binomial" (beta-binomial of the level), "poisson" (negative binomial of a Gamma level), or
   * "negbin" (a day-level shock on top of the level: s2 > 0).
   */
  model: "binomial" | "poisson" | "negbin";
  /** Discount and day shock the day was forecast with (chosen on earlier days only). */
  delta: number;
  s2: number;
}

/** Result of the rolling one-step-ahead calibration. */
export interface CalibrationResult {
  /** First `warmupDays` days only fit; days from index warmupDays on are scored. */
  warmupDays: number;
  /** Days scored (days after warm-up with clicks > 0). */
  days: number;
  /** Days after warm-up skipped because they had no clicks (their predictive is the point mass at 0). */
  skippedZeroClickDays: number;
  /** Days after warm-up left out because their predictive table failed its mean check (drawn flat, not scored). */
  failedDays: number;
  /**
   * Share of scored days whose (rounded) count lies inside the drawn 50/80/90% band [quantile((1-c)/2),
   * quantile((1+c)/2)]: what a reader counts on the daily chart (its band is this one). For counts it is at least c
   * in expectation (the band's end atoms are included whole), close to c once a day has tens of conversions, higher
   * for small counts (a Poisson(1) day's 90% band [0, 3] holds 98%). Null when no day was scored.
   */
  coverage50: number | null;
  coverage80: number | null;
  coverage90: number | null;
  /**
   * The proper score of the same bands: the randomised PIT's coverage with the draw integrated out (the mean over
   * days of the share of [F(y-1), F(y)] inside [(1-c)/2, (1+c)/2]); exactly c in expectation under a correct model,
   * for counts as for continuous data. The fit check (FIT_CHECK) uses pitCoverage90.
   */
  pitCoverage50: number | null;
  pitCoverage80: number | null;
  pitCoverage90: number | null;
  /** The drawn-band shares again (the same numbers as coverage50/80/90; kept for earlier readers). */
  inclusion50: number | null;
  inclusion80: number | null;
  inclusion90: number | null;
  /** Mean width hi90 - lo90 of the scored days' 90% bands (conversions); null when no day was scored. */
  meanWidth90: number | null;
  /** Mean ranked probability score over scored days (lower is better); null when no day was scored. */
  meanRps: number | null;
  /**
   * "poor": at least FIT_CHECK.minDays scored days and pitCoverage90 outside [0.80, 0.97] (the verdict then gives
   * no p-value); "good": inside; "untested": fewer days.
   */
  fit: "good" | "poor" | "untested";
  /** The drift model chosen over all days: discount, day shock, and log scores (the fixed rate's beside it). */
  model: { base: "binomial" | "poisson"; delta: number; s2: number; logScore: number; fixedLogScore: number | null };
  rows: CalibrationDay[];
}

/** Options of the rolling calibration. */
export interface CalibrationOptions {
  /** Days used only for fitting before the first scored day, >= 2 (default 14). */
  warmupDays?: number;
  /** Seed of the randomised PIT draws (default 1). */
  seed?: number;
  /** Beta prior of the rate (default Jeffreys). */
  prior?: { a: number; b: number };
  /** Discounts searched (default DRIFT_DISCOUNTS; [1] with shocks [0] is the fixed-rate model). */
  discounts?: readonly number[];
  /** Day shocks searched (default DRIFT_SHOCKS). */
  shocks?: readonly number[];
  /** Forgetting of the log scores in the online choice (default 1). */
  scoreDiscount?: number;
  /** Days from this index on are neither scored nor counted as skipped (provisional days, see ./lag-band.ts). */
  scoreUntil?: number;
}

/** One unit's noise band. */
export interface BandDay {
  /** ISO date, or null for an ad/segment. */
  date: string | null;
  clicks: number;
  conversions: number;
  expected: number;
  lo50: number;
  hi50: number;
  lo90: number;
  hi90: number;
  /** Where the (rounded) count falls against the 90% band. */
  position: "below" | "inside" | "above";
  /**
   * A warm-up day (dated rows): drawn with the band of the first scored day's state, not forecast from its own
   * past; not counted in the coverage.
   */
  warmup?: boolean;
  /** The day counts in the calibration's coverage (after warm-up, with clicks). Absent for ads (in-sample band). */
  scored?: boolean;
  /** Conversion lag (dated rows, when a completeness curve was given): see ./lag-band.ts. */
  lag?: DayLag;
}

/**
 * The day's one-step-ahead law from the filter's path (dayDistribution(stateBefore(t), clicks) without building the
 * state or the table's own array: the pmf is left in the shared scratch table, its mean in dayLawMean). Null where dayDistribution would
 * not tabulate by the beta-binomial/NB walk (clicks rounding to 0, a zero or infinite NB parameter).
 */
function dayLaw(filter: DriftFilter, t: number, clicks: number): ScratchPmf | null {
  const path = filter.path;
  const g = path.point[t] as number;
  const d = path.delta[g] as number;
  const s2 = path.s2[g] as number;
  const a = d * (path.a[t] as number);
  const b = d * (path.b[t] as number);
  const n = Math.round(clicks);
  if (!(n > 0)) return null;
  if (filter.base === "binomial") {
    const m = a / (a + b);
    let al = a;
    let be = b;
    if (s2 !== 0) {
      const c = shockedConcentration(a, b, s2);
      al = m * c;
      be = (1 - m) * c;
    }
    dayLawMean[0] = (n * al) / (al + be);
    return betaBinomialInto(n, al, be);
  }
  const m = a / b;
  let r = a;
  if (s2 !== 0) {
    const vl = (m * m) / a;
    r = (m * m) / (vl + s2 * (vl + m * m));
  }
  const mean = clicks * m;
  if (!(mean > 0) || !Number.isFinite(r)) return null;
  dayLawMean[0] = mean;
  return negativeBinomialInto(r, mean);
}

/** The closed-form mean of the law dayLaw last returned (kept beside the scratch table, which has none), in a typed
 * array: a module-level number is boxed afresh at every write. */
const dayLawMean = new Float64Array(1);

function bandOf(dist: CountDistribution, row: DayRow, cum: Float64Array) {
  const b50 = centralInterval(dist, 0.5, cum);
  const b80 = centralInterval(dist, 0.8, cum);
  const b90 = centralInterval(dist, 0.9, cum);
  const y = Math.round(row.conversions);
  return { b50, b80, b90, y, position: (y < b90.lo ? "below" : y > b90.hi ? "above" : "inside") as BandDay["position"] };
}

/** Both products of the pass: the calibration and the chart's band per day, and the filter itself. */
export interface DriftCalibration {
  calibration: CalibrationResult;
  band: BandDay[];
  filter: DriftFilter;
}

/**
 * Rolling one-step-ahead calibration and the daily chart's band, from one filtering pass (driftFilter) over dated
 * rows (sorted by date, one row per day).
 *
 * Day t >= warmupDays with clicks is forecast by the drift model chosen on days < t (discount and day shock with the
 * best one-step-ahead log score so far) from its state after day t - 1: dayDistribution(state, clicks_t). The
 * observed (rounded) count is scored: drawn 50/80/90% bands and whether it lies inside them (coverage), the
 * randomised PIT and its integrated band coverage (pitCoverage), and the RPS. Warm-up days are drawn with the first
 * scored day's state (marked warmup, not scored); days without clicks get the band [0, 0] and are skipped.
 *
 * Edge cases: fewer than warmupDays + 1 days, or no day with clicks after warm-up -> days 0 and null summaries
 * (warm-up days then drawn with the state after the last day).
 * Cost: O(T x grid) for the pass plus O(T x band width) for the bands.
 * @example driftCalibration(simulatedBinomialDays).calibration.coverage90 // ~0.90
 * Reference: Czado, Gneiting & Held (2009), "Predictive model assessment for count data", Biometrics 65;
 *   Gneiting & Raftery (2007), JASA 102 (proper scores).
 */
export function driftCalibration(rows: readonly DayRow[], options: CalibrationOptions = {}): DriftCalibration {
  const warmupDays = Math.max(2, Math.floor(options.warmupDays ?? 14));
  const filter = driftFilter(rows, { prior: options.prior, discounts: options.discounts, shocks: options.shocks, scoreDiscount: options.scoreDiscount });
  const random = seededRandom(options.seed ?? 1);
  const T = rows.length;
  // Each day after warm-up: its kind (0 flat, 1 scored) and its numbers, in one table; the row and band objects are
  // built from it when first read (see lazyArray), so a dataset's thousands of campaigns do not allocate them unread.
  const kind = new Uint8Array(T);
  const table = new Float64Array(T * STRIDE);
  const pitIn = [0, 0, 0];
  const inside = [0, 0, 0];
  let rps = 0;
  let width = 0;
  let skipped = 0;
  let failed = 0;
  let d = 0;
  const sc: CountScore = { lo90: 0, lo80: 0, lo50: 0, hi50: 0, hi80: 0, hi90: 0, below: 0, upTo: 0, rps: 0, meanOk: false };
  const scoreEnd = Math.min(T, options.scoreUntil ?? T);
  for (let t = warmupDays; t < scoreEnd; t++) {
    const row = rows[t] as DayRow;
    // usable(stateBefore(t)), read from the path without building the state.
    const usableState = (filter.path.a[t] as number) > 0 && (filter.path.b[t] as number) > 0;
    if (!(row.clicks > 0) || !usableState) {
      if (!(row.clicks > 0)) skipped++;
      continue;
    }
    const y = Math.round(row.conversions);
    const fast = dayLaw(filter, t, row.clicks);
    let expected: number;
    if (fast) {
      expected = dayLawMean[0] as number;
      scoreCount(fast.pmf, fast.offset, fast.length, expected, y, sc);
    } else {
      const dist = dayDistribution(filter.stateBefore(t), row.clicks);
      scoreCount(dist.pmf, dist.offset, dist.pmf.length, dist.mean, y, sc);
      expected = dist.mean;
    }
    if (!sc.meanOk) {
      // The tabulated law failed its own check: the day is drawn flat and not scored (counted in failedDays).
      failed++;
      continue;
    }
    const pit = sc.below + random() * (sc.upTo - sc.below);
    kind[t] = 1;
    const o = t * STRIDE;
    table[o] = expected;
    table[o + 1] = sc.lo50;
    table[o + 2] = sc.hi50;
    table[o + 3] = sc.lo80;
    table[o + 4] = sc.hi80;
    table[o + 5] = sc.lo90;
    table[o + 6] = sc.hi90;
    table[o + 7] = pit;
    table[o + 8] = sc.rps;
    d++;
    pitIn[0] = (pitIn[0] as number) + pitInside(sc.below, sc.upTo, 0.5);
    pitIn[1] = (pitIn[1] as number) + pitInside(sc.below, sc.upTo, 0.8);
    pitIn[2] = (pitIn[2] as number) + pitInside(sc.below, sc.upTo, 0.9);
    if (y >= sc.lo50 && y <= sc.hi50) inside[0] = (inside[0] as number) + 1;
    if (y >= sc.lo80 && y <= sc.hi80) inside[1] = (inside[1] as number) + 1;
    if (y >= sc.lo90 && y <= sc.hi90) inside[2] = (inside[2] as number) + 1;
    rps += sc.rps;
    width += sc.hi90 - sc.lo90;
  }
  const buildRows = (): CalibrationDay[] => {
    const out: CalibrationDay[] = [];
    for (let t = warmupDays; t < T; t++) {
      if (kind[t] !== 1) continue;
      const row = rows[t] as DayRow;
      const o = t * STRIDE;
      const g = filter.path.point[t] as number;
      const s2 = filter.path.s2[g] as number;
      const y = Math.round(row.conversions);
      const lo50 = table[o + 1] as number;
      const hi50 = table[o + 2] as number;
      const lo90 = table[o + 5] as number;
      const hi90 = table[o + 6] as number;
      out.push({
        date: row.date ?? "",
        clicks: row.clicks,
        conversions: row.conversions,
        expected: table[o] as number,
        lo50,
        hi50,
        lo80: table[o + 3] as number,
        hi80: table[o + 4] as number,
        lo90,
        hi90,
        inside90: y >= lo90 && y <= hi90,
        inside50: y >= lo50 && y <= hi50,
        pit: table[o + 7] as number,
        rps: table[o + 8] as number,
        model: s2 > 0 ? "negbin" : filter.base,
        delta: filter.path.delta[g] as number,
        s2,
      });
    }
    return out;
  };
  const buildBand = (): BandDay[] => {
    const band: BandDay[] = [];
    // Warm-up days: the first scored day's state (or, without one, the state after the last day).
    const first = T > warmupDays ? filter.stateBefore(warmupDays) : filter.state;
    const firstUsable = first.b > 0 && first.a > 0;
    for (let t = 0; t < Math.min(warmupDays, T); t++) {
      const row = rows[t] as DayRow;
      if (!(row.clicks > 0) || !firstUsable) {
        band.push({ ...flatBand(row), warmup: true });
        continue;
      }
      const dist = dayDistribution(first, row.clicks);
      const cum = cumulative(dist);
      const { b50, b90, position } = bandOf(dist, row, cum);
      band.push({
        date: row.date,
        clicks: row.clicks,
        conversions: row.conversions,
        expected: dist.mean,
        lo50: b50.lo,
        hi50: b50.hi,
        lo90: b90.lo,
        hi90: b90.hi,
        position,
        warmup: true,
        scored: false,
      });
    }
    for (let t = warmupDays; t < T; t++) {
      const row = rows[t] as DayRow;
      if (kind[t] !== 1) {
        band.push(flatBand(row));
        continue;
      }
      const o = t * STRIDE;
      const y = Math.round(row.conversions);
      const lo90 = table[o + 5] as number;
      const hi90 = table[o + 6] as number;
      band.push({
        date: row.date,
        clicks: row.clicks,
        conversions: row.conversions,
        expected: table[o] as number,
        lo50: table[o + 1] as number,
        hi50: table[o + 2] as number,
        lo90,
        hi90,
        position: y < lo90 ? "below" : y > hi90 ? "above" : "inside",
        warmup: false,
        scored: true,
      });
    }
    return band;
  };
  const share = (x: number) => (d > 0 ? x / d : null);
  const pit90 = share(pitIn[2] as number);
  const fit: CalibrationResult["fit"] =
    d < FIT_CHECK.minDays || pit90 === null ? "untested" : pit90 < FIT_CHECK.lo || pit90 > FIT_CHECK.hi ? "poor" : "good";
  const best = filter.grid[filter.best] ?? { delta: 1, s2: 0, logScore: 0 };
  const fixed = filter.grid.find((g) => g.delta === 1 && g.s2 === 0);
  const calibration = {
    warmupDays,
    days: d,
    skippedZeroClickDays: skipped,
    failedDays: failed,
    coverage50: share(inside[0] as number),
    coverage80: share(inside[1] as number),
    coverage90: share(inside[2] as number),
    pitCoverage50: share(pitIn[0] as number),
    pitCoverage80: share(pitIn[1] as number),
    pitCoverage90: pit90,
    inclusion50: share(inside[0] as number),
    inclusion80: share(inside[1] as number),
    inclusion90: share(inside[2] as number),
    meanWidth90: share(width),
    meanRps: share(rps),
    fit,
    model: { base: filter.base, delta: best.delta, s2: best.s2, logScore: best.logScore, fixedLogScore: fixed ? fixed.logScore : null },
  } as CalibrationResult;
  lazyArray(calibration, "rows", buildRows);
  const result = { calibration, filter } as DriftCalibration;
  lazyArray(result, "band", buildBand);
  return result;
}

/** Numbers kept per scored day: expected, lo50, hi50, lo80, hi80, lo90, hi90, pit, rps. */
const STRIDE = 9;

/** The band [0, 0] of a day without a usable predictive (no clicks); a conversion on it is above. */
function flatBand(row: DayRow): BandDay {
  const y = Math.round(row.conversions);
  return {
    date: row.date,
    clicks: row.clicks,
    conversions: row.conversions,
    expected: 0,
    lo50: 0,
    hi50: 0,
    lo90: 0,
    hi90: 0,
    position: y > 0 ? "above" : "inside",
    warmup: false,
    scored: false,
  };
}

/**
 * Rolling one-step-ahead calibration over dated rows: driftCalibration(rows, options).calibration.
 * @example rollingCalibration(simulatedBinomialDays).coverage90 // ~0.90
 */
export function rollingCalibration(rows: readonly DayRow[], options: CalibrationOptions = {}): CalibrationResult {
  return driftCalibration(rows, options).calibration;
}

/**
 * In-sample noise band per unit (used for ads, which have no order to forecast along): the predictive count given the unit's clicks under the rate model fitted to all
 * units (the same law as the calibration, without holding the unit out), with its 50% and 90% central bands and
 * whether the unit falls below, inside or above the 90% band. A unit with no clicks has the band [0, 0].
 * @param model - a fitted model (default: rateModel of all rows).
 * @example noiseBand(rows)[0].position // "inside" for most days of a steady campaign
 */
export function noiseBand(rows: readonly DayRow[], model: RateModel = rateModel(rows.map((r) => ({ n: r.clicks, y: r.conversions })))): BandDay[] {
  return rows.map((row) => {
    const dist = predictiveCounts(model, row.clicks);
    const cum = cumulative(dist);
    const b50 = centralInterval(dist, 0.5, cum);
    const b90 = centralInterval(dist, 0.9, cum);
    const y = Math.round(row.conversions);
    return {
      date: row.date,
      clicks: row.clicks,
      conversions: row.conversions,
      expected: dist.mean,
      lo50: b50.lo,
      hi50: b50.hi,
      lo90: b90.lo,
      hi90: b90.hi,
      position: y < b90.lo ? "below" : y > b90.hi ? "above" : "inside",
    };
  });
}
