import { describe, expect, it } from "vitest";
import {
  calibrationNote,
  correlationNote,
  dispersionNote,
  forecastNote,
  holdingCollarNote,
  severityNote,
  shrinkageNote,
  verdictMessage,
} from "@/lib/analysis/messages";
import { dispersionTest, estimateSeverity, fitBetaHyper, surpriseCorrelation } from "@/lib/engine/estimate";
import type { DispersionFit, SeverityEstimate, Verdict } from "@/lib/engine/estimate";

const window = { from: "2026-03-01", to: "2026-03-07", units: 7, clicks: 1234.4, conversions: 12 };
const base: Verdict = {
  verdict: "within",
  reference: "earlier-history",
  window,
  expected: 9.6,
  lo90: 5.2,
  hi90: 14.6,
  pLower: 0.81,
  pUpper: 0.27,
  tailProbability: 0.27,
  reason: "judged",
  requestedUnits: 7,
  calibration: null,
  fit: "good",
  drift: { delta: 1, s2: 0 },
};

describe("verdictMessage", () => {
  it("says a window inside the band is within noise, naming the history's rate, the range and the clicks", () => {
    expect(verdictMessage(base)).toBe(
      "The last 7 days brought 12 conversions; at the earlier history's rate, noise alone gives 5-15 (90%) for 1,234 clicks: within noise.",
    );
  });

  it("mentions the rate's movement when the drift filter discounts or shocks it", () => {
    expect(verdictMessage({ ...base, drift: { delta: 0.98, s2: 0 } })).toMatch(/at the earlier history's rate and how it has been moving,/);
  });

  it("gives the probability of a result this low or this high", () => {
    expect(verdictMessage({ ...base, verdict: "worse", pLower: 0.01234, window: { ...window, conversions: 1 } })).toBe(
      "1 conversion in the last 7 days is fewer than noise explains: the earlier history's rate gives 5-15 (90%) for 1,234 clicks; a result this low has probability 0.012.",
    );
    expect(verdictMessage({ ...base, verdict: "better", pUpper: 0.004, reference: "dataset-prior", window: { ...window, conversions: 30 } })).toBe(
      "30 conversions in its 7 rows is more than noise explains: the dataset's typical rate gives 5-15 (90%) for 1,234 clicks; a result this high has probability 0.0040.",
    );
  });

  it("speaks of rows, not units, when the rows are not days (one row for a whole period)", () => {
    expect(verdictMessage({ ...base, reference: "dataset-prior", window: { ...window, units: 1, conversions: 12 } })).toBe(
      "Its one row brought 12 conversions; at the dataset's typical rate, noise alone gives 5-15 (90%) for 1,234 clicks: within noise.",
    );
  });

  it("says why there is no verdict", () => {
    const insufficient = { ...base, verdict: "insufficient" as const, reference: null, pLower: null, pUpper: null, tailProbability: null };
    expect(verdictMessage({ ...insufficient, reason: "no-history", requestedUnits: 14 })).toBe(
      "Not enough earlier history: at least 7 earlier days with clicks are needed to judge the last 14.",
    );
    expect(verdictMessage({ ...insufficient, reason: "no-clicks" })).toBe("No clicks in the window: nothing to judge.");
    expect(verdictMessage({ ...insufficient, reason: "poor-fit", fit: "poor", calibration: { days: 80, coverage90: 0.62 } })).toBe(
      "The noise model does not fit this campaign well: its 90% band, forecast one day ahead, held on 62% of 80 days (it should hold on about 90%), so no verdict on the last 7 days is given. They brought 12 conversions for 1,234 clicks; the model expected about 10.",
    );
    expect(verdictMessage({ ...insufficient, reason: "poor-fit", fit: "poor", calibration: null })).toMatch(/held on too few days/);
  });
});

describe("dispersionNote", () => {
  const fit: DispersionFit = { model: "negbin", base: "binomial", phi: 2.3149, pValue: 0.001234, r: 14.249, rMethod: "ml", rate: 0.02, units: 60, finding: "overdispersed" };

  it("gives phi, the p-value and the negative binomial size of an overdispersed campaign", () => {
    expect(dispersionNote(fit)).toBe("Overdispersed (phi = 2.31, p = 0.0012): negative binomial with r = 14.2 per unit.");
  });

  it("names the base model that explains the spread otherwise", () => {
    expect(dispersionNote({ ...fit, model: "poisson", base: "poisson", phi: 0.97, pValue: 0.55, finding: "not-overdispersed" })).toBe(
      "No real overdispersion (phi = 0.97, p = 0.55): poisson noise explains the spread.",
    );
  });

  it("says why no test was possible", () => {
    expect(dispersionNote(dispersionTest([{ n: 100, y: 2 }]))).toBe(
      "Fewer than two units with clicks: dispersion cannot be tested; the base model is used.",
    );
    expect(dispersionNote({ ...fit, finding: "no-conversions" })).toBe("No conversions: dispersion cannot be tested; the base model is used.");
    expect(dispersionNote({ ...fit, finding: "all-converted" })).toBe("Every click converted: dispersion cannot be tested; the base model is used.");
  });
});

describe("severityNote", () => {
  const day = (conversions: number, revenue: number | null) => ({ conversions, revenue });

  it("describes order values from an order file, with refunds and non-positive values left out", () => {
    const s = estimateSeverity([], [30, 30, 90, -10, 0]);
    expect(severityNote(s)).toBe(
      "Order values from 5 order rows (empirical). 1 negative value(s) (refunds) left out. 2 value(s) <= 0 left out of the lognormal fit.",
    );
  });

  it("describes counts only, an assumed spread, constant and fitted order values", () => {
    expect(severityNote(estimateSeverity([day(2, null)]))).toBe("No revenue in the data: every conversion counts as 1 (counts only).");
    expect(severityNote(estimateSeverity([day(0, 10)]))).toBe(
      "No conversions with revenue: order values cannot be estimated; every conversion counts as 1.",
    );
    expect(severityNote(estimateSeverity([day(2, -10)]))).toBe("Revenue per conversion is not positive (refunds): every conversion counts as 1.");
    expect(severityNote(estimateSeverity([day(2, 100)]))).toBe(
      "Only 1 unit(s) with sales: order values lognormal with mean 50.00 and an assumed sigma of 1.",
    );
    const fitted: SeverityEstimate = { ...estimateSeverity([day(2, 100)]), finding: "fitted", used: 40, lognormal: { mu: 3.6, sigma: 0.8523 } };
    expect(severityNote(fitted)).toBe("Order values lognormal with mean 50.00 and sigma 0.85, from 40 units with sales.");
    expect(severityNote({ ...fitted, finding: "constant" })).toBe("Every unit's average order value equals 50.00: order values taken as constant.");
  });
});

describe("the engine's other findings, worded", () => {
  it("says why a correlation could not be estimated, from the engine's code", () => {
    const one = surpriseCorrelation([{ campaign: "A", days: [{ date: "2026-01-01", impressions: 100, clicks: 10, conversions: 1, spend: 5, revenue: 5 }] }]);
    expect(one.finding).toBe("too-few-campaigns");
    expect(correlationNote(one)).toBe("Fewer than two campaigns with daily conversions: correlation cannot be estimated.");
    expect(correlationNote({ ...one, finding: "no-common-days", minCommonDays: 10 })).toBe("No two campaigns share 10 days: correlation cannot be estimated.");
    expect(correlationNote({ ...one, finding: "estimated", pairs: 3, days: 60, blockLength: 7, resamples: 400 })).toBe(
      "Mean correlation of daily surprises over 3 campaign pair(s) and 60 days, from the variance of their daily sum; 90% interval by a 7-day moving-block bootstrap (400 resamples).",
    );
  });

  it("says how the shrinkage prior was fitted, and when it pools completely", () => {
    const none = fitBetaHyper([{ campaign: "A", successes: 0, trials: 50 }, { campaign: "B", successes: 0, trials: 80 }]);
    expect(none.finding).toBe("no-conversions");
    expect(shrinkageNote(none)).toBe("No conversions in any campaign: no shrinkage (a Beta prior cannot sit at rate 0).");
    expect(shrinkageNote({ finding: "ml", completePooling: true })).toBe(
      "Beta prior by maximum beta-binomial marginal likelihood. The campaigns' rates differ no more than binomial noise explains: complete pooling at the dataset rate.",
    );
    expect(shrinkageNote({ finding: "moments-fallback", completePooling: false })).toBe(
      "Beta prior by the method of moments (the likelihood fit did not improve on it).",
    );
  });

  it("words the calibration's days, warm-up, drift model and left-out days", () => {
    const model = { base: "binomial" as const, delta: 0.98, s2: 0.0025, logScore: 0, fixedLogScore: null };
    expect(calibrationNote({ days: 60, warmupDays: 14, failedDays: 2, model })).toBe(
      "60 days forecast one step ahead after a 14-day warm-up (the rate drifts (discount 0.98 a day, day-to-day spread 5%)); coverage = days inside the drawn band, PIT coverage beside it. 2 day(s) left out: their predictive table failed its mean check.",
    );
    expect(calibrationNote({ days: 0, warmupDays: 14, failedDays: 0, model })).toBe(
      "Not enough history: calibration needs more than 14 days, with clicks after the warm-up.",
    );
  });

  it("words a forecast's findings with their figures", () => {
    expect(forecastNote({ code: "overdispersed", r: 14.23 })).toBe("Overdispersed history: a day-level rate shock with r = 14.2 per unit is included.");
    expect(forecastNote({ code: "ad-level", units: 12.345 })).toBe(
      "Ad-level data: the budget buys 12.3 ad-equivalents at the average spend per ad; the horizon does not apply.",
    );
    expect(forecastNote({ code: "drift", delta: 0.97 })).toMatch(/^The rate drifts \(discount 0\.97 a day/);
  });

  it("words how a holding's collar came out", () => {
    expect(holdingCollarNote("free-floor")).toBe("The floor is below every outcome: it costs nothing and needs no cap.");
    expect(holdingCollarNote("floor-too-dear")).toBe("The floor is worth more than all the upside: no cap can pay for it.");
  });
});
