/**
 * The sentences a person reads about the engine's findings. The engine (lib/engine) returns codes and numbers;
 * this module words them, so the figures and their wording live apart and the wording can change without the maths.
 */
import { MIN_REFERENCE_DAYS, type DispersionFit, type SeverityEstimate, type Verdict } from "@/lib/engine/estimate";

/** A count rounded to a whole number with thousands separators: 1234.6 -> "1,235". */
const count = (x: number): string => Math.round(x).toLocaleString("en-US");
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
      const held = cal && cal.coverage90 !== null ? `${Math.round(cal.coverage90 * 100)}% of ${cal.days} days` : "too few days";
      return `The noise model does not fit this campaign well: its 90% band, forecast one day ahead, held on ${held} (it should hold on about 90%), so no verdict on the last ${window.units} days is given. They brought ${conv(window.conversions)} for ${count(window.clicks)} clicks; the model expected about ${count(v.expected ?? 0)}.`;
    }
    case "judged": {
      const y = Math.round(window.conversions);
      const span = v.reference === "earlier-history" ? `the last ${window.units} days` : `these ${window.units} units`;
      const basis =
        v.reference === "earlier-history"
          ? v.drift && (v.drift.delta < 1 || v.drift.s2 > 0)
            ? "the earlier history's rate and how it has been moving"
            : "the earlier history's rate"
          : "the dataset's typical rate";
      const range = `${count(v.lo90 ?? 0)}-${count(v.hi90 ?? 0)}`;
      if (v.verdict === "worse") {
        return `${conv(y)} in ${span} is fewer than noise explains: ${basis} gives ${range} (90%) for ${count(window.clicks)} clicks; a result this low has probability ${(v.pLower ?? 0).toPrecision(2)}.`;
      }
      if (v.verdict === "better") {
        return `${conv(y)} in ${span} is more than noise explains: ${basis} gives ${range} (90%) for ${count(window.clicks)} clicks; a result this high has probability ${(v.pUpper ?? 0).toPrecision(2)}.`;
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
      return `No real overdispersion (phi = ${(d.phi ?? 0).toFixed(2)}, p = ${(d.pValue ?? 1).toPrecision(2)}): ${d.base} noise explains the spread.`;
    case "overdispersed":
      return `Overdispersed (phi = ${(d.phi ?? 0).toFixed(2)}, p = ${(d.pValue ?? 0).toPrecision(2)}): negative binomial with r = ${(d.r ?? 0).toPrecision(3)} per unit.`;
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
      return `Only ${s.used} unit(s) with sales: order values lognormal with mean ${s.mean.toFixed(2)} and an assumed sigma of 1.`;
    case "constant":
      return `Every unit's average order value equals ${s.mean.toFixed(2)}: order values taken as constant.`;
    case "fitted":
      return `Order values lognormal with mean ${s.mean.toFixed(2)} and sigma ${(s.lognormal?.sigma ?? 0).toFixed(2)}, from ${s.used} units with sales.`;
    case "orders":
      return (
        `Order values from ${s.used} order rows (empirical).` +
        (s.negatives > 0 ? ` ${s.negatives} negative value(s) (refunds) left out.` : "") +
        (s.droppedFromFit > 0 ? ` ${s.droppedFromFit} value(s) <= 0 left out of the lognormal fit.` : "")
      );
  }
}
