/**
 * The sentences a person reads about the engine's findings. The engine (lib/engine) returns codes and numbers;
 * this module words them, so the figures and their wording live apart and the wording can change without the maths.
 */
import { MIN_REFERENCE_DAYS, type Verdict } from "@/lib/engine/estimate";

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
