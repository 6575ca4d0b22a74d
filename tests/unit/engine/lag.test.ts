import { describe, expect, it } from "vitest";
import {
  betaBinomialDistribution,
  binomialDistribution,
  negativeBinomialDistribution,
  poissonDistribution,
  type CountDistribution,
} from "@/lib/engine/estimate/discrete";
import {
  completeness,
  DEFAULT_LAG,
  finalGivenArrived,
  lagCurveFromSetting,
  lagHorizon,
  lagRate,
  learnLag,
  thinCount,
  thinFrequency,
  type LagObservation,
} from "@/lib/engine/lag";
import { createRng, type Rng } from "@/lib/engine/rng";

const pmfAt = (d: CountDistribution, k: number) => (k >= d.offset && k < d.offset + d.pmf.length ? (d.pmf[k - d.offset] as number) : 0);
const total = (d: CountDistribution) => d.pmf.reduce((s, p) => s + p, 0);
function moments(d: CountDistribution) {
  let m = 0;
  let m2 = 0;
  d.pmf.forEach((p, i) => {
    m += (d.offset + i) * p;
    m2 += (d.offset + i) ** 2 * p;
  });
  return { mean: m, variance: m2 - m * m };
}

describe("completeness curve from a setting", () => {
  it("puts q of the delay within d days: 1 - exp(-k d) = q (1e-12)", () => {
    for (const s of [DEFAULT_LAG, { q: 0.5, d: 1 }, { q: 0.99, d: 30 }, { q: 1e-6, d: 2 }]) {
      expect(-Math.expm1(-lagRate(s) * s.d)).toBeCloseTo(s.q, 12);
    }
  });

  it("is the day-average of the delay cdf: F(a) against a 200,000-point midpoint rule of G over [a, a+1] (1e-9)", () => {
    const k = lagRate(DEFAULT_LAG);
    for (const a of [0, 1, 3, 7, 13, 30]) {
      const M = 200_000;
      let s = 0;
      for (let i = 0; i < M; i++) s += 1 - Math.exp(-k * (a + (i + 0.5) / M));
      expect(Math.abs(completeness(a, k) - s / M)).toBeLessThan(1e-9);
    }
    // hand value: 1 - 0.1 (1 - 10^(-1/7)) / (ln 10 / 7) = 0.914783... (1e-6)
    expect(completeness(7, k)).toBeCloseTo(0.914783, 6);
  });

  it("increases with age and with k, and handles k at its edges", () => {
    const k = 0.3;
    for (let a = 0; a < 40; a++) expect(completeness(a + 1, k)).toBeGreaterThan(completeness(a, k));
    expect(completeness(5, 0.5)).toBeGreaterThan(completeness(5, 0.3));
    expect(completeness(5, 0)).toBe(0);
    expect(completeness(5, Infinity)).toBe(1);
    expect(completeness(-3, k)).toBe(completeness(0, k));
  });

  it("has its horizon at the first age with F >= 0.99 (14 days for 90% within 7)", () => {
    for (const k of [0.05, 0.3289, 1, 3, 20]) {
      const h = lagHorizon(k);
      expect(completeness(h, k)).toBeGreaterThanOrEqual(0.99);
      if (h > 0) expect(completeness(h - 1, k)).toBeLessThan(0.99);
    }
    const curve = lagCurveFromSetting();
    expect(curve.horizon).toBe(14);
    expect(curve.source).toBe("setting");
    expect(curve.points).toHaveLength(15);
    expect(curve.points[0]!.lo90).toBe(curve.points[0]!.fraction);
  });

  it("refuses a setting out of range", () => {
    expect(() => lagCurveFromSetting({ q: 1, d: 7 })).toThrow(/q must be < 1/);
    expect(() => lagCurveFromSetting({ q: 0.9, d: 0 })).toThrow(/d must be > 0/);
  });
});

describe("thinning a day's count by its completeness", () => {
  it("thins the frequency specs in closed form", () => {
    expect(thinFrequency({ kind: "poisson", lambda: 10 }, 0.25)).toEqual({ kind: "poisson", lambda: 2.5 });
    expect(thinFrequency({ kind: "binomial", n: 300, p: 0.02 }, 0.5)).toEqual({ kind: "binomial", n: 300, p: 0.01 });
    expect(thinFrequency({ kind: "negbin", r: 3, mean: 8 }, 0.5)).toEqual({ kind: "negbin", r: 3, mean: 4 });
    expect(() => thinFrequency({ kind: "poisson", lambda: 1 }, 1.2)).toThrow(RangeError);
  });

  it.each([
    ["Poisson(12) -> Poisson(12 f)", poissonDistribution(12), (f: number) => poissonDistribution(12 * f)],
    ["Binomial(400, 0.03) -> Binomial(400, 0.03 f)", binomialDistribution(400, 0.03), (f: number) => binomialDistribution(400, 0.03 * f)],
    ["NB(2.5, 9) -> NB(2.5, 9 f)", negativeBinomialDistribution(2.5, 9), (f: number) => negativeBinomialDistribution(2.5, 9 * f)],
    ["Poisson(3000) -> Poisson(3000 f)", poissonDistribution(3000), (f: number) => poissonDistribution(3000 * f)],
  ])("tabulated thinning of %s matches the closed form pmf (1e-12 absolute)", (_name, dist, closed) => {
    for (const f of [0.05, 0.3, 0.9]) {
      const thin = thinCount(dist, f);
      const ref = closed(f);
      const hi = Math.max(thin.offset + thin.pmf.length, ref.offset + ref.pmf.length);
      for (let k = 0; k < hi; k++) expect(Math.abs(pmfAt(thin, k) - pmfAt(ref, k))).toBeLessThan(1e-12);
      expect(thin.mean).toBeCloseTo(f * dist.mean, 10);
    }
  });

  it("keeps mass 1 and the moments f E[K] and f^2 Var K + f (1 - f) E K of a beta-binomial (1e-10 relative)", () => {
    const dist = betaBinomialDistribution(500, 1.5, 80);
    const k = moments(dist);
    for (const f of [0.15, 0.6]) {
      const thin = thinCount(dist, f);
      const m = moments(thin);
      expect(Math.abs(total(thin) - 1)).toBeLessThan(1e-12);
      expect(Math.abs(m.mean / (f * k.mean) - 1)).toBeLessThan(1e-10);
      expect(Math.abs(m.variance / (f * f * k.variance + f * (1 - f) * k.mean) - 1)).toBeLessThan(1e-10);
    }
    expect(thinCount(dist, 1)).toBe(dist);
    expect(thinCount(dist, 0).pmf).toEqual(Float64Array.of(1));
  });

  it("matches a seeded simulation of clicks -> Beta rate -> conversions -> arrivals (each P(Y = y) within 4.5 standard errors)", () => {
    // 200,000 draws: SE of a probability p is sqrt(p (1 - p) / 200000) <= 0.0011; 4.5 SE fails by chance ~7e-6 per cell.
    const rng = createRng(20261205);
    const n = 400;
    const a = 2;
    const b = 98;
    const f = 0.4;
    const draws = 200_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const g1 = rng.gamma(a);
      const p = g1 / (g1 + rng.gamma(b));
      const y = rng.binomial(rng.binomial(n, p), f);
      counts.set(y, (counts.get(y) ?? 0) + 1);
    }
    const thin = thinCount(betaBinomialDistribution(n, a, b), f);
    for (let y = 0; y <= 8; y++) {
      const p = pmfAt(thin, y);
      const se = Math.sqrt((p * (1 - p)) / draws);
      expect(Math.abs((counts.get(y) ?? 0) / draws - p)).toBeLessThan(4.5 * se);
    }
  });
});

describe("the final count given what has arrived", () => {
  it("is y + Poisson(lambda (1 - f)) under a Poisson prior (1e-12 absolute)", () => {
    const lambda = 10;
    for (const [f, y] of [
      [0.4, 3],
      [0.9, 12],
      [0.15, 0],
    ] as const) {
      const post = finalGivenArrived(poissonDistribution(lambda), f, y);
      const rest = poissonDistribution(lambda * (1 - f));
      for (let k = 0; k < 60; k++) expect(Math.abs(pmfAt(post, k) - pmfAt(rest, k - y))).toBeLessThan(1e-12);
      expect(post.mean).toBeCloseTo(y + lambda * (1 - f), 10);
    }
  });

  it("agrees with a seeded simulation under a beta-binomial prior (mean within 4 standard errors)", () => {
    // Draw (K, Y), keep draws with Y = 2, compare the mean of K with the posterior mean; SE = sd(K | Y) / sqrt(kept).
    const rng = createRng(7);
    const prior = betaBinomialDistribution(300, 3, 97);
    const f = 0.3;
    const kept: number[] = [];
    for (let i = 0; i < 300_000; i++) {
      const g = rng.gamma(3);
      const K = rng.binomial(300, g / (g + rng.gamma(97)));
      if (rng.binomial(K, f) === 2) kept.push(K);
    }
    const post = finalGivenArrived(prior, f, 2);
    const m = moments(post);
    const se = Math.sqrt(m.variance / kept.length);
    const simMean = kept.reduce((s, k) => s + k, 0) / kept.length;
    expect(Math.abs(simMean - post.mean)).toBeLessThan(4 * se);
    expect(Math.abs(total(post) - 1)).toBeLessThan(1e-12);
  });

  it("is the point mass at y when the day is complete, and the flat-prior law when the prior gives y no mass", () => {
    expect(finalGivenArrived(poissonDistribution(5), 1, 4)).toEqual({ offset: 4, pmf: Float64Array.of(1), mean: 4 });
    const flat = finalGivenArrived(poissonDistribution(1), 0.5, 200);
    // y + NB(y + 1, f): mean y + (y + 1)(1 - f) / f = 200 + 201
    expect(flat.mean).toBeCloseTo(401, 9);
  });
});

/**
 * Simulated successive exports: `days` days with Poisson(perDay) final conversions, each with a click time v ~ U(0, 1)
 * before the day's end and an Exponential(k) delay; an export at the end of day e shows day t (age e - t, up to
 * `window` days back) the conversions with delay <= age + v.
 */
function simulateExports(rng: Rng, k: number, days: number, perDay: number, exportEvery: number, window: number): LagObservation[] {
  const waits: number[][] = [];
  for (let t = 0; t < days; t++) {
    const n = rng.poisson(perDay);
    const w: number[] = [];
    for (let i = 0; i < n; i++) w.push(-Math.log1p(-rng.uniform()) / k - rng.uniform());
    waits.push(w);
  }
  const out: LagObservation[] = [];
  const day = (t: number) => new Date(Date.UTC(2026, 0, 1 + t)).toISOString().slice(0, 10);
  for (let e = window; e < days; e += exportEvery) {
    for (let t = Math.max(0, e - window); t <= e; t++) {
      const age = e - t;
      out.push({ day: day(t), age, count: (waits[t] as number[]).filter((x) => x <= age).length });
    }
  }
  return out;
}

describe("learning the curve from successive exports", () => {
  const kTrue = lagRate(DEFAULT_LAG);

  it("recovers k within its own 90% interval, and the curve within its band at every age", () => {
    const obs = simulateExports(createRng(11), kTrue, 180, 25, 7, 28);
    const fit = learnLag(obs);
    expect(fit).not.toBeNull();
    const c = fit!.curve;
    expect(c.source).toBe("learned");
    expect(c.kLo90).toBeLessThan(kTrue);
    expect(c.kHi90).toBeGreaterThan(kTrue);
    for (const p of c.points) {
      const F = completeness(p.age, kTrue);
      expect(p.lo90).toBeLessThanOrEqual(F);
      expect(p.hi90).toBeGreaterThanOrEqual(F);
    }
    expect(fit!.atBound).toBe(false);
  });

  it("covers the true k in about 90% of 200 seeded simulations (between 0.85 and 0.95: 2.4 binomial sd)", () => {
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const fit = learnLag(simulateExports(createRng(1000 + s), kTrue, 60, 6, 7, 21));
      if (fit && fit.curve.kLo90 <= kTrue && kTrue <= fit.curve.kHi90) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.85);
    expect(covered / 200).toBeLessThan(0.95);
  });

  it("returns null with nothing to learn, caps decreases, and refuses invalid readings", () => {
    expect(learnLag([{ day: "2026-01-01", age: 0, count: 4 }])).toBeNull();
    expect(learnLag([{ day: "2026-01-01", age: 0, count: 0 }, { day: "2026-01-01", age: 3, count: 0 }])).toBeNull();
    const fit = learnLag([
      { day: "2026-01-01", age: 0, count: 3 },
      { day: "2026-01-01", age: 7, count: 10 },
      { day: "2026-01-02", age: 1, count: 6 },
      { day: "2026-01-02", age: 8, count: 5 },
    ]);
    expect(fit?.decreases).toBe(1);
    expect(fit?.pairs).toBe(2);
    expect(() => learnLag([{ day: "Jan 1", age: 0, count: 1 }])).toThrow(/day must be an ISO date/);
    expect(() => learnLag([{ day: "2026-01-01", age: 0.5, count: 1 }])).toThrow(/age/);
  });
});
