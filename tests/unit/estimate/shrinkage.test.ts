import { describe, expect, it } from "vitest";
import { fitBetaHyper, momentBetaFit, seededRandom, shrinkRates } from "@/lib/engine/estimate";
import { shrinkageNote } from "@/lib/analysis/messages";
import { reference } from "./reference";
import { binomial, gamma } from "./simulate";

const eb = reference.eb;
const items = eb.campaigns.map((c, i) => ({ campaign: `c${i}`, successes: c.x, trials: c.n }));

describe("empirical-Bayes Beta prior", () => {
  it("finds scipy's maximum beta-binomial likelihood (a, b to 1e-4 relative, log-likelihood to 1e-7)", () => {
    const fit = fitBetaHyper(items);
    expect(fit.method).toBe("ml");
    expect(Math.abs(fit.a / eb.a - 1)).toBeLessThan(1e-4);
    expect(Math.abs(fit.b / eb.b - 1)).toBeLessThan(1e-4);
    expect(Math.abs((fit.logLikelihood ?? NaN) - eb.logLik)).toBeLessThan(1e-7);
    expect(fit.completePooling).toBe(false);
  });

  it("shrinks each campaign to Beta(a + x, b + n - x) as scipy does (1e-4 relative)", () => {
    const { campaigns } = shrinkRates(items);
    campaigns.forEach((c, i) => {
      const r = eb.shrunk[i] as { mean: number; lo90: number; hi90: number };
      expect(Math.abs(c.shrunk.mean / r.mean - 1)).toBeLessThan(1e-4);
      expect(Math.abs(c.shrunk.lo90 / r.lo90 - 1)).toBeLessThan(1e-4);
      expect(Math.abs(c.shrunk.hi90 / r.hi90 - 1)).toBeLessThan(1e-4);
    });
    // The zero-conversion campaign (60 clicks) is pulled up towards the dataset rate, the big ones barely move.
    const zero = campaigns[3];
    expect(zero?.shrunk.mean).toBeGreaterThan(0.01);
    expect(zero?.shrinkageWeight).toBeGreaterThan(0.9);
    expect(campaigns[6]?.shrinkageWeight).toBeLessThan(0.3);
  });

  it("computes the moment (ANOVA) estimate as the numpy script does (1e-10 relative)", () => {
    const m = momentBetaFit(eb.campaigns);
    expect(Math.abs(m.mean / eb.moments.mean - 1)).toBeLessThan(1e-10);
    expect(Math.abs(m.concentration / eb.moments.concentration - 1)).toBeLessThan(1e-10);
    expect(fitBetaHyper(items, "moments").method).toBe("moments");
  });

  it("recovers Beta(4, 196) from 60 simulated campaigns (seeded; mean within 0.003, a + b within a factor 1.6)", () => {
    const random = seededRandom(11);
    const sim = Array.from({ length: 60 }, (_, i) => {
      const ga = gamma(random, 4);
      const p = ga / (ga + gamma(random, 196));
      const n = 500 + Math.floor(random() * 3000);
      return { campaign: `s${i}`, successes: binomial(random, n, p), trials: n };
    });
    const fit = fitBetaHyper(sim);
    expect(Math.abs(fit.mean - 0.02)).toBeLessThan(0.003);
    expect(fit.concentration).toBeGreaterThan(200 / 1.6);
    expect(fit.concentration).toBeLessThan(200 * 1.6);
  });

  it("reports complete pooling when every campaign has the same rate (binomial noise only, seeded)", () => {
    const random = seededRandom(5);
    const sim = Array.from({ length: 30 }, (_, i) => ({ campaign: `s${i}`, successes: binomial(random, 2000, 0.03), trials: 2000 }));
    const fit = fitBetaHyper(sim);
    expect(fit.completePooling).toBe(true);
    const { campaigns } = shrinkRates(sim);
    for (const c of campaigns) expect(Math.abs(c.shrunk.mean - fit.mean)).toBeLessThan(1e-3);
  });

  it("does not shrink with one campaign, and says so", () => {
    const { fit, campaigns } = shrinkRates([{ campaign: "only", successes: 3, trials: 100 }]);
    expect(fit.method).toBe("none");
    expect(fit.finding).toBe("too-few-campaigns");
    expect(shrinkageNote(fit)).toMatch(/no shrinkage/i);
    expect(campaigns[0]?.shrunk.mean).toBeCloseTo(3.5 / 101, 14);
  });

  it("leaves zero-click campaigns out of the fit and gives them the prior; never NaN without conversions", () => {
    const { fit, campaigns } = shrinkRates([...items, { campaign: "empty", successes: 0, trials: 0 }]);
    expect(fit.campaigns).toBe(items.length);
    expect(campaigns[items.length]?.shrunk.mean).toBeCloseTo(fit.a / (fit.a + fit.b), 12);
    const none = shrinkRates([
      { campaign: "a", successes: 0, trials: 10 },
      { campaign: "b", successes: 0, trials: 20 },
    ]);
    expect(none.fit.method).toBe("none");
    expect(Number.isFinite(none.campaigns[0]?.shrunk.mean)).toBe(true);
  });

  it("caps conversions above clicks in the fit", () => {
    const fit = fitBetaHyper([
      { campaign: "a", successes: 12, trials: 10 },
      { campaign: "b", successes: 1, trials: 100 },
      { campaign: "c", successes: 3, trials: 100 },
    ]);
    expect(Number.isFinite(fit.a) && Number.isFinite(fit.b)).toBe(true);
  });
});
