/**
 * A plain-language verdict per campaign: are the recent conversions within what noise explains, given the clicks?
 */
import { cdfAt, centralInterval, cumulative } from "./discrete";
import { driftFilter, windowDistribution, type DriftState } from "./drift";
import { scaleProvisional } from "./lag-band";
import { predictiveCounts, rateModel } from "./predictive";
import type { DayRow } from "./types";


/** Tail probability below which a result is called better/worse than noise (one-sided; the 90% band's edges). */
export const VERDICT_ALPHA = 0.05;
/** Fewest earlier days (with clicks) for the earlier history to serve as the reference. */
export const MIN_REFERENCE_DAYS = 7;

/** The verdict on a window of a campaign. */
export interface Verdict {
  /**
   * "worse": fewer conversions than noise explains (P(Y <= y) < 0.05); "better": more (P(Y >= y) < 0.05);
   * "within": inside the noise band; "insufficient": no reference to compare with.
   */
  verdict: "within" | "better" | "worse" | "insufficient";
  /** "earlier-history": the campaign's own days before the window; "dataset-prior": the dataset's shrinkage prior. */
  reference: "earlier-history" | "dataset-prior" | null;
  /** The window judged. */
  window: { from: string | null; to: string | null; units: number; clicks: number; conversions: number };
  /** Predictive mean of the window's conversions given its clicks; null when insufficient. */
  expected: number | null;
  lo90: number | null;
  hi90: number | null;
  /** P(Y <= y) under the reference. */
  pLower: number | null;
  /** P(Y >= y) under the reference. */
  pUpper: number | null;
  /** min(pLower, pUpper): how surprising the window is in its own direction. */
  tailProbability: number | null;
  /**
   * Why the verdict is what it is, for lib/analysis/messages.ts to word: "no-history" (fewer than
   * MIN_REFERENCE_DAYS earlier days with clicks and no dataset prior), "no-clicks" (none in the window), "poor-fit"
   * (the calibration withheld the verdict), "judged" (a verdict from the reference law).
   */
  reason: "no-history" | "no-clicks" | "poor-fit" | "judged";
  /** Units the verdict was asked to judge (the window option; all units with "all"). */
  requestedUnits: number;
  /** The calibration figures a "poor-fit" reason rests on (null when no calibration was given). */
  calibration: { days: number; coverage90: number | null } | null;
  /**
   * "poor": the campaign's own one-step-ahead 90% band held on too few or too many days (CalibrationResult.fit), so
   * no verdict or p-value is given (verdict "insufficient", p-values null; reason "poor-fit"); "good": the check
   * passed; "untested": too few scored days, or no calibration.
   */
  fit: "good" | "poor" | "untested";
  /** Discount and day shock of the drifting rate the window was judged with (null without earlier history). */
  drift: { delta: number; s2: number } | null;
  /** Days of the window still provisional (conversion lag: judged on what has arrived); absent without a lag. */
  provisionalUnits?: number;
}

/** Options of the verdict. */
export interface VerdictOptions {
  /** Units (days) in the judged window, or "all" (default 7). */
  window?: number | "all";
  /** The dataset's Beta prior of the rate, used when the campaign has no earlier history of its own. */
  datasetPrior?: { a: number; b: number };
  /**
   * The drift filter's state before the window's first day (chosen on the days before it); computed from the
   * earlier days when absent (estimateCampaign passes the one from its single pass).
   */
  state?: DriftState;
  /** The campaign's calibration fit and figures (CalibrationResult); a "poor" fit withholds the verdict. */
  calibration?: { fit: "good" | "poor" | "untested"; days: number; coverage90: number | null; pitCoverage90: number | null };
  /**
   * Completeness F of each row (conversion lag; same order as rows, 1 for a complete day). The window's law is then
   * that of the conversions arrived so far: each day's clicks weighted by its F (exact for the Poisson base, whose
   * thinned day rate is F times the rate; for the binomial base the variance is off by a factor at most
   * 1 + q (1 - F) / (1 - q), q the conversion rate), and earlier provisional days do not teach the reference rate.
   */
  completeness?: ArrayLike<number>;
}

/**
 * Verdict on the last `window` days (or all units) of a campaign.
 *
 * Reference law: with at least MIN_REFERENCE_DAYS earlier days with clicks, the drifting rate (driftFilter) at the
 * window's start, chosen and filtered on the days before it, carried over the window's days with its drift and day
 * shock: windowDistribution(state, the window's clicks per day) (with discount 1 and no shock this is the fixed-rate
 * beta-binomial of the earlier history). Otherwise, when a dataset prior is given, the Beta(a, b) dataset prior
 * alone, against all units (an ad-level file, or too short a history): predictiveCounts(prior model, clicks). The
 * observed (rounded) total y gets pLower = P(Y <= y) and pUpper = P(Y >= y); worse if pLower < 0.05, better if
 * pUpper < 0.05.
 *
 * Edge cases: no clicks in the window, or no reference -> "insufficient". A calibration whose fit is "poor" ->
 * "insufficient" with fit "poor", the band and expected count kept, no p-values, and reason "poor-fit" (lib/analysis/messages.ts
 * words every reason).
 * @example campaignVerdict(rows).verdict // "within" for a campaign whose last week matches its history
 */
export function campaignVerdict(rows: readonly DayRow[], options: VerdictOptions = {}): Verdict {
  const size = options.window === "all" ? rows.length : Math.max(1, Math.floor(options.window ?? 7));
  const dated = rows.length > 0 && rows[0]?.date !== null;
  let earlier = dated ? rows.slice(0, Math.max(0, rows.length - size)) : [];
  let win = dated ? rows.slice(rows.length - Math.min(size, rows.length)) : rows.slice();
  let reference: Verdict["reference"] = null;
  if (earlier.filter((r) => r.clicks > 0).length >= MIN_REFERENCE_DAYS) reference = "earlier-history";
  else if (options.datasetPrior) {
    reference = "dataset-prior";
    earlier = [];
    win = rows.slice();
  }
  const clicks = win.reduce((s, r) => s + r.clicks, 0);
  // The window's clicks weighted by completeness: what its arrived conversions are judged on.
  const f = options.completeness;
  const firstWin = rows.length - win.length;
  const fOf = (i: number): number => (f ? ((f[i] as number | undefined) ?? 1) : 1);
  const weighted = win.map((r, i) => r.clicks * fOf(firstWin + i));
  const conversions = win.reduce((s, r) => s + r.conversions, 0);
  const provisionalUnits = f ? win.reduce((s, _r, i) => s + (fOf(firstWin + i) < 1 ? 1 : 0), 0) : undefined;
  const window = {
    from: win[0]?.date ?? null,
    to: win[win.length - 1]?.date ?? null,
    units: win.length,
    clicks,
    conversions,
  };
  const calibration = options.calibration ? { days: options.calibration.days, coverage90: options.calibration.coverage90 } : null;
  const insufficient = (reason: "no-history" | "no-clicks"): Verdict => ({
    verdict: "insufficient",
    reference: null,
    window,
    expected: null,
    lo90: null,
    hi90: null,
    pLower: null,
    pUpper: null,
    tailProbability: null,
    reason,
    requestedUnits: size,
    calibration,
    fit: options.calibration?.fit ?? "untested",
    drift: null,
    ...(provisionalUnits !== undefined ? { provisionalUnits } : {}),
  });
  if (reference === null) {
    return insufficient("no-history");
  }
  if (!(clicks > 0)) return insufficient("no-clicks");
  let dist;
  let drift: Verdict["drift"] = null;
  if (reference === "earlier-history") {
    const state = options.state ?? driftFilter(f ? scaleProvisional(earlier, f) : earlier).state;
    drift = { delta: state.delta, s2: state.s2 };
    dist = windowDistribution(state, weighted);
  } else {
    dist = predictiveCounts(
      rateModel([], options.datasetPrior),
      weighted.reduce((s, n) => s + n, 0),
      Math.max(1, win.filter((r) => r.clicks > 0).length),
    );
  }
  const cum = cumulative(dist);
  const y = Math.round(conversions);
  const pLower = cdfAt(dist, y, cum);
  const pUpper = 1 - cdfAt(dist, y - 1, cum);
  const band = centralInterval(dist, 0.9, cum);
  const fit = options.calibration?.fit ?? "untested";
  if (fit === "poor") {
    return {
      verdict: "insufficient",
      reference,
      window,
      expected: dist.mean,
      lo90: band.lo,
      hi90: band.hi,
      pLower: null,
      pUpper: null,
      tailProbability: null,
      reason: "poor-fit",
      requestedUnits: size,
      calibration,
      fit,
      drift,
      ...(provisionalUnits !== undefined ? { provisionalUnits } : {}),
    };
  }
  const verdict: Verdict["verdict"] = pLower < VERDICT_ALPHA ? "worse" : pUpper < VERDICT_ALPHA ? "better" : "within";
  return {
    verdict,
    reference,
    window,
    expected: dist.mean,
    lo90: band.lo,
    hi90: band.hi,
    pLower,
    pUpper,
    tailProbability: Math.min(pLower, pUpper),
    reason: "judged",
    requestedUnits: size,
    calibration,
    fit,
    drift,
    ...(provisionalUnits !== undefined ? { provisionalUnits } : {}),
  };
}
