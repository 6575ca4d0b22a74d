import { describe, expect, it } from "vitest";
import { verdictMessage } from "@/lib/analysis/messages";
import type { Verdict } from "@/lib/engine/estimate";

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
      "30 conversions in these 7 units is more than noise explains: the dataset's typical rate gives 5-15 (90%) for 1,234 clicks; a result this high has probability 0.0040.",
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
