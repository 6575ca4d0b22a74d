/**
 * The sentences a person reads about the engine's findings. The engine (lib/engine) returns codes and numbers;
 * this module words them, so the figures and their wording live apart and the wording can change without the maths.
 */
import { MIN_REFERENCE_DAYS, type BetaHyperFit, type CalibrationResult, type DispersionFit, type ForecastFinding, type SurpriseCorrelation, type SeverityEstimate, type Verdict } from "@/lib/engine/estimate";
import type { CampaignAsCoin } from "@/lib/engine/coins";
import type { HoldingCollar } from "@/lib/engine/holding";
import { formatFixed, formatNumber, formatPlain, formatPrecision } from "@/lib/format";

/** A count rounded to a whole number with thousands separators: 1234.6 -> "1,235". */
const count = (x: number): string => formatNumber(Math.round(x), 0);
/** "1 conversion", "3 conversions" (rounded). */
const conv = (x: number): string => `${count(x)} ${Math.round(x) === 1 ? "conversion" : "conversions"}`;

/**
 * The verdict on a campaign's last days, as one or two sentences.
 * @param v - a Verdict from campaignVerdict (its reason, window, band, p-values, reference and drift).
 * @example verdictMessage(v) // "The last 7 days brought 12 conversions; at the earlier history's rate, noise alone gives 6-15 (90%) for 480 clicks: within noise."
 */
export function verdictMessage(v: Verdict): string {
  const n = v.provisionalUnits ?? 0;
  const base = verdictSentence(v);
  if (n === 0 || (v.reason !== "judged" && v.reason !== "poor-fit")) return base;
  const days = n === 1 ? "1 of these days is" : `${n} of these days are`;
  return `${base} ${days} still provisional (sales keep being credited to the day of the click): the range is for the sales arrived so far.`;
}

/** verdictMessage without the conversion-lag sentence. */
function verdictSentence(v: Verdict): string {
  const { window } = v;
  switch (v.reason) {
    case "no-history":
      return `Not enough earlier history: at least ${MIN_REFERENCE_DAYS} earlier days with clicks are needed to judge the last ${v.requestedUnits}.`;
    case "no-clicks":
      return "No clicks in the window: nothing to judge.";
    case "poor-fit": {
      const cal = v.calibration;
      const held = cal && cal.coverage90 !== null ? `${formatNumber(cal.coverage90 * 100, 0)}% of ${cal.days} days` : "too few days";
      return `The noise model does not fit this campaign well: its 90% band, forecast one day ahead, held on ${held} (it should hold on about 90%), so no verdict on the last ${window.units} days is given. They brought ${conv(window.conversions)} for ${count(window.clicks)} clicks; the model expected about ${count(v.expected ?? 0)}.`;
    }
    case "judged": {
      const y = Math.round(window.conversions);
      // Judged against the dataset's rate: rows that are not days (ads, or one row for a whole period).
      const span = v.reference === "earlier-history" ? `the last ${window.units} days` : window.units === 1 ? "its one row" : `its ${count(window.units)} rows`;
      const basis =
        v.reference === "earlier-history"
          ? v.drift && (v.drift.delta < 1 || v.drift.s2 > 0)
            ? "the earlier history's rate and how it has been moving"
            : "the earlier history's rate"
          : "the dataset's typical rate";
      const range = `${count(v.lo90 ?? 0)}-${count(v.hi90 ?? 0)}`;
      if (v.verdict === "worse") {
        return `${conv(y)} in ${span} is fewer than noise explains: ${basis} gives ${range} (90%) for ${count(window.clicks)} clicks; a result this low has probability ${formatPrecision(v.pLower ?? 0, 2)}.`;
      }
      if (v.verdict === "better") {
        return `${conv(y)} in ${span} is more than noise explains: ${basis} gives ${range} (90%) for ${count(window.clicks)} clicks; a result this high has probability ${formatPrecision(v.pUpper ?? 0, 2)}.`;
      }
      return `${span[0]?.toUpperCase()}${span.slice(1)} brought ${conv(y)}; at ${basis}, noise alone gives ${range} (90%) for ${count(window.clicks)} clicks: within noise.`;
    }
  }
}

/**
 * What the dispersion test of a campaign's daily conversions found, as one sentence.
 * @param d - a DispersionFit from dispersionTest (finding, phi, p-value, base model, r).
 * @example dispersionNote(d) // "Overdispersed (phi = 2.31, p = 0.0012): negative binomial with r = 14.2 per unit."
 */
export function dispersionNote(d: DispersionFit): string {
  const untested = "dispersion cannot be tested; the base model is used.";
  switch (d.finding) {
    case "too-few-units":
      return `Fewer than two units with clicks: ${untested}`;
    case "no-conversions":
      return `No conversions: ${untested}`;
    case "all-converted":
      return `Every click converted: ${untested}`;
    case "not-overdispersed":
      return `No real overdispersion (phi = ${formatFixed(d.phi ?? 0, 2)}, p = ${formatPrecision(d.pValue ?? 1, 2)}): ${d.base} noise explains the spread.`;
    case "overdispersed":
      return `Overdispersed (phi = ${formatFixed(d.phi ?? 0, 2)}, p = ${formatPrecision(d.pValue ?? 0, 2)}): negative binomial with r = ${formatPrecision(d.r ?? 0, 3)} per unit.`;
  }
}

/**
 * How a campaign's order values were obtained, as one or more sentences.
 * @param s - a SeverityEstimate from estimateSeverity (finding, mean, lognormal, units used, values left out).
 * @example severityNote(s) // "Order values lognormal with mean 54.20 and sigma 0.85, from 61 units with sales."
 */
export function severityNote(s: SeverityEstimate): string {
  switch (s.finding) {
    case "no-revenue":
      return "No revenue in the data: every conversion counts as 1 (counts only).";
    case "no-sales":
      return "No conversions with revenue: order values cannot be estimated; every conversion counts as 1.";
    case "refunds":
      return "Revenue per conversion is not positive (refunds): every conversion counts as 1.";
    case "few-units":
      return `Only ${s.used} unit(s) with sales: order values lognormal with mean ${formatFixed(s.mean, 2)} and an assumed sigma of 1.`;
    case "constant":
      return `Every unit's average order value equals ${formatFixed(s.mean, 2)}: order values taken as constant.`;
    case "fitted":
      return `Order values lognormal with mean ${formatFixed(s.mean, 2)} and sigma ${formatFixed(s.lognormal?.sigma ?? 0, 2)}, from ${s.used} units with sales.`;
    case "orders":
      return (
        `Order values from ${s.used} order rows (empirical).` +
        (s.negatives > 0 ? ` ${s.negatives} negative value(s) (refunds) left out.` : "") +
        (s.droppedFromFit > 0 ? ` ${s.droppedFromFit} value(s) <= 0 left out of the lognormal fit.` : "")
      );
  }
}

/**
 * What a campaign seen as a coin measured, or why nothing was, as one sentence.
 * @param c - a CampaignAsCoin from campaignAsCoin (finding, revenue per spend, days used and without revenue, stats).
 * @example coinNote(c) // "Each day's revenue against what its spend brings on average (2.5 per unit spent), as a log return, over 90 days; annualized volatility 48%."
 */
export function coinNote(c: CampaignAsCoin): string {
  switch (c.finding) {
    case "too-few-days":
      return "Fewer than two days with spend and revenue: no volatility to measure.";
    case "no-revenue":
      return "No revenue on any day with spend: no surprise to measure.";
    case "unbalanced":
      return "The daily surprises did not balance against the spend (a self-check); no volatility is shown.";
    case "measured": {
      const days = c.dates.length;
      const perUnit = `Each day's revenue against what its spend brings on average (${formatPlain(c.revenuePerSpend, 3)} per unit spent)`;
      const what =
        c.returnKind === "log"
          ? `${perUnit}, as a log return`
          : `${perUnit}; ${c.zeroDays} of ${days} days had no revenue, so simple (not log) surprises are used`;
      return `${what}, over ${days} days; annualized volatility ${formatNumber((c.stats?.annualizedVolatility ?? NaN) * 100, 0)}%.`;
    }
  }
}

/**
 * How a collar on a coin holding was set, as one sentence.
 * @param finding - HoldingCollar.finding from collarOnHolding, or "same-levels" when the cap was set by hand at the
 *   campaign collar's quantile levels.
 * @example holdingCollarNote("free-floor") // "The floor is below every outcome: it costs nothing and needs no cap."
 */
export function holdingCollarNote(finding: HoldingCollar["finding"] | "same-levels"): string {
  switch (finding) {
    case "free-floor":
      return "The floor is below every outcome: it costs nothing and needs no cap.";
    case "floor-too-dear":
      return "The floor is worth more than all the upside: no cap can pay for it.";
    case "zero-cost":
      return "Floor and cap valued at expected payoffs under the holding's distribution: the collar costs nothing on average.";
    case "same-levels":
      return "Floor and cap at the same quantile levels as the campaign's.";
  }
}

/**
 * What the rolling one-step-ahead calibration scored, and the drift model that fitted best, as one or two sentences.
 * @param c - a CalibrationResult from driftCalibration (days scored, warm-up, days left out, chosen drift model).
 * @example calibrationNote(c) // "60 days forecast one step ahead after a 14-day warm-up (a fixed rate fitted best); coverage = days inside the drawn band, PIT coverage beside it."
 */
export function calibrationNote(c: Pick<CalibrationResult, "days" | "warmupDays" | "failedDays" | "model">): string {
  if (c.days === 0) return `Not enough history: calibration needs more than ${c.warmupDays} days, with clicks after the warm-up.`;
  const { delta, s2 } = c.model;
  const drift =
    delta === 1 && s2 === 0
      ? "a fixed rate fitted best"
      : `the rate drifts (discount ${delta} a day${s2 > 0 ? `, day-to-day spread ${formatNumber(Math.sqrt(s2) * 100, 0)}%` : ""})`;
  const failed = c.failedDays > 0 ? ` ${c.failedDays} day(s) left out: their predictive table failed its mean check.` : "";
  return `${c.days} days forecast one step ahead after a ${c.warmupDays}-day warm-up (${drift}); coverage = days inside the drawn band, PIT coverage beside it.${failed}`;
}

/**
 * How the correlation of daily surprises across campaigns was estimated, or why it was not, as one sentence.
 * @param c - a SurpriseCorrelation from surpriseCorrelation (finding, pairs, days, block length, resamples).
 * @example correlationNote(c) // "No two campaigns share 10 days: correlation cannot be estimated."
 */
export function correlationNote(c: SurpriseCorrelation): string {
  switch (c.finding) {
    case "too-few-campaigns":
      return "Fewer than two campaigns with daily conversions: correlation cannot be estimated.";
    case "no-common-days":
      return `No two campaigns share ${c.minCommonDays} days: correlation cannot be estimated.`;
    case "estimated":
      return `Mean correlation of daily surprises over ${c.pairs} campaign pair(s) and ${c.days} days, from the variance of their daily sum; 90% interval by a ${c.blockLength}-day moving-block bootstrap (${c.resamples} resamples).`;
  }
}

/**
 * How the dataset's Beta prior for shrinking campaign rates was fitted, or why there is no shrinkage, as one or two
 * sentences.
 * @param fit - a BetaHyperFit from fitBetaHyper (finding, completePooling).
 * @example shrinkageNote(fit) // "Beta prior by maximum beta-binomial marginal likelihood."
 */
export function shrinkageNote(fit: Pick<BetaHyperFit, "finding" | "completePooling">): string {
  const pooled = fit.completePooling ? " The campaigns' rates differ no more than binomial noise explains: complete pooling at the dataset rate." : "";
  switch (fit.finding) {
    case "too-few-campaigns":
      return "Fewer than two campaigns with clicks: no shrinkage, each campaign keeps its own rate.";
    case "no-conversions":
      return "No conversions in any campaign: no shrinkage (a Beta prior cannot sit at rate 0).";
    case "all-converted":
      return "Every click converted in every campaign: no shrinkage (a Beta prior cannot sit at rate 1).";
    case "moments":
      return `Beta prior by the method of moments.${pooled}`;
    case "moments-fallback":
      return `Beta prior by the method of moments (the likelihood fit did not improve on it).${pooled}`;
    case "ml":
      return `Beta prior by maximum beta-binomial marginal likelihood.${pooled}`;
  }
}

/**
 * One thing that shaped a campaign's forecast, as one sentence.
 * @param f - one of ForecastParameters.findings (its code and, for some, a number).
 * @example forecastNote({ code: "overdispersed", r: 14.23 }) // "Overdispersed history: a day-level rate shock with r = 14.2 per unit is included."
 */
export function forecastNote(f: ForecastFinding): string {
  switch (f.code) {
    case "ad-level":
      return `Ad-level data: the budget buys ${formatPrecision(f.units, 3)} ad-equivalents at the average spend per ad; the horizon does not apply.`;
    case "no-spend":
      return "No spend in the history: cost per click unknown, clicks projected from clicks per unit instead of the budget.";
    case "no-clicks":
      return "No clicks in the history: no conversions can be forecast.";
    case "overdispersed":
      return `Overdispersed history: a day-level rate shock with r = ${formatPrecision(f.r, 3)} per unit is included.`;
    case "rate-uncertainty":
      return "The rate's uncertainty is mixed in (negative binomial matched to the mixture's mean and variance).";
    case "counts-only":
      return "No revenue: the aggregate is the conversion count (every conversion worth 1).";
    case "drift":
      return `The rate drifts (discount ${f.delta} a day, chosen by one-day-ahead forecasts): its drift over the horizon is mixed in.`;
  }
}
