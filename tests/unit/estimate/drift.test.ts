import gammaln from "@stdlib/math-base-special-gammaln";
import { describe, expect, it } from "vitest";
import {
  betaBinomialDistribution,
  dayDistribution,
  driftCalibration,
  driftFilter,
  horizonMoments,
  horizonRateModel,
  lnGamma,
  momentsOf,
  negativeBinomialDistribution,
  pmfAt,
  rateModel,
  risingLog,
  seededRandom,
  windowDistribution,
} from "@/lib/engine/estimate";
import type { DayRow, DriftState } from "@/lib/engine/estimate";
import { betaBinomialLogRatios } from "@/lib/engine/estimate/log-gamma";
import { reference } from "./reference";
import { binomial, isoDay, normal, simulateDays } from "./simulate";

const ref = reference.drift;

function rowsOf(days: { n: number; y: number }[]): DayRow[] {
  return days.map((d, i) => ({ date: isoDay(i), impressions: d.n * 30, clicks: d.n, conversions: d.y, spend: d.n / 2, revenue: null }));
}

/** Seeded days whose conversion rate is fixed at p. */
function fixedDays(seed: number, days = 365, lo = 200, hi = 400, p = 0.03): DayRow[] {
  const random = seededRandom(seed);
  return simulateDays(random, days, lo, hi, (n) => binomial(random, n, p));
}

/** Seeded days whose logit rate is a Gaussian random walk with step sd `step` from logit(p0). */
function driftingDays(seed: number, days = 365, lo = 200, hi = 400, p0 = 0.03, step = 0.08): DayRow[] {
  const random = seededRandom(seed);
  let x = Math.log(p0 / (1 - p0));
  return simulateDays(random, days, lo, hi, (n) => {
    x += step * normal(random);
    return binomial(random, n, 1 / (1 + Math.exp(-x)));
  });
}

describe("lnGamma and risingLog", () => {
  it("match scipy's gammaln (absolute error < 1e-11 up to x = 1e7, where ln Gamma ~ 1.5e8)", () => {
    for (const { x, value } of ref.lnGamma) expect(Math.abs(lnGamma(x) - value)).toBeLessThan(1e-11 * Math.max(1, Math.abs(value) / 1e3));
  });

  it("risingLog equals ln Gamma(x + k) - ln Gamma(x) (stdlib gammaln; relative 1e-12)", () => {
    for (const [x, k] of [[0.7, 3], [3.2, 9], [1e6, 17], [45.5, 32], [2.5, 40]] as const) {
      const exact = gammaln(x + k) - gammaln(x);
      expect(Math.abs(risingLog(x, k) / exact - 1)).toBeLessThan(1e-12);
    }
    expect(risingLog(5, 0)).toBe(0);
  });

  it("betaBinomialLogRatios equals ln B(al + y, be + k) - ln B(al, be) on every path (stdlib gammaln; 1e-12 of the largest log-gamma)", () => {
    // products (y, k <= 32), Stirling with and without shifted arguments (k > 32), a long success run (y > 32),
    // bases of 1e7 and more (lnGamma differences), tiny pseudo-counts (a floor state) and a ratio near underflow
    const cases: [number, number, number, number][] = [
      [2, 3, 1, 1],
      [0.31, 17.4, 3, 29],
      [0.004, 2.5, 0, 31],
      [3.2, 104.7, 5, 295],
      [0.7, 4.1, 2, 998],
      [45.5, 900, 40, 3000],
      [2e6, 9e6, 4, 20],
      [1e-9, 1e-9, 0, 0],
      [1e-9, 5e6, 32, 32],
      [1e-12, 3.5, 7, 5000],
    ];
    for (const [a, b, y, k] of cases) {
      const out = new Float64Array(1);
      betaBinomialLogRatios(Float64Array.of(a), Float64Array.of(b), y, k, 1, out);
      const exact = gammaln(a + y) + gammaln(b + k) - gammaln(a + b + y + k) - (gammaln(a) + gammaln(b) - gammaln(a + b));
      const scale = Math.max(1, Math.abs(gammaln(a + b + y + k)), Math.abs(gammaln(a)), Math.abs(gammaln(b)));
      expect(Math.abs((out[0] as number) - exact), `${a} ${b} ${y} ${k}`).toBeLessThan(1e-12 * scale);
    }
  });
});

describe("predictive pmfs at the filter's fractional parameters", () => {
  it("beta-binomial(300, 3.2, 104.7) matches scipy.stats.betabinom (absolute 1e-13)", () => {
    const d = betaBinomialDistribution(ref.betaBinomial.n, ref.betaBinomial.a, ref.betaBinomial.b);
    ref.betaBinomial.pmf.forEach((p, k) => expect(Math.abs(pmfAt(d, k) - p)).toBeLessThan(1e-13));
  });

  it("NB(r = 2.7, mean 9.3) matches scipy.stats.nbinom (absolute 1e-13)", () => {
    const d = negativeBinomialDistribution(ref.negbin.r, ref.negbin.mean);
    ref.negbin.pmf.forEach((p, k) => expect(Math.abs(pmfAt(d, k) - p)).toBeLessThan(1e-13));
  });
});

describe("driftFilter", () => {
  const rows = rowsOf(ref.filter.days);
  const filter = driftFilter(rows, { discounts: [1, 0.8], shocks: [0, 0.05] });
  // The filter drops ln C(n, y), the same for every grid point: add it back to compare with scipy's full log pmf.
  let lnChoose = 0;
  rows.forEach((r, t) => {
    if (t > 0 && r.clicks > 0) lnChoose += gammaln(r.clicks + 1) - gammaln(r.conversions + 1) - gammaln(r.clicks - r.conversions + 1);
  });

  it("matches the filter written out with scipy's betabinom: log scores (1e-9) and final states (1e-12 relative)", () => {
    for (const want of ref.filter.grid) {
      const g = filter.grid.findIndex((p) => p.delta === want.delta && p.s2 === want.s2);
      expect(g).toBeGreaterThanOrEqual(0);
      expect(Math.abs((filter.grid[g]?.logScore ?? NaN) + lnChoose - want.logScore)).toBeLessThan(1e-9);
    }
    const best = ref.filter.grid.reduce((x, y) => (y.logScore > x.logScore ? y : x));
    expect([filter.state.delta, filter.state.s2]).toEqual([best.delta, best.s2]);
    expect(Math.abs(filter.state.a / best.a - 1)).toBeLessThan(1e-12);
    expect(Math.abs(filter.state.b / best.b - 1)).toBeLessThan(1e-12);
  });

  it("with discount 1 and no shock is the fixed-rate model: Jeffreys posterior of the totals before every day", () => {
    const random = seededRandom(3);
    const days = simulateDays(random, 50, 100, 300, (n) => binomial(random, n, 0.04));
    const f = driftFilter(days, { discounts: [1], shocks: [0] });
    for (const t of [0, 1, 17, 50]) {
      const m = rateModel(days.slice(0, t).map((d) => ({ n: d.clicks, y: d.conversions })));
      const s = f.stateBefore(t);
      expect(Math.abs(s.a / m.a - 1)).toBeLessThan(1e-12);
      expect(Math.abs(s.b / m.b - 1)).toBeLessThan(1e-12);
    }
    expect(f.fixedState.a).toBe(f.state.a);
  });

  it("prefers the fixed rate on a steady campaign and a discount < 1 on a drifting one (3 seeds each)", () => {
    for (const seed of [1, 2, 3]) {
      expect(driftFilter(fixedDays(seed)).state.delta).toBeGreaterThanOrEqual(0.97);
      expect(driftFilter(driftingDays(100 + seed)).state.delta).toBeLessThan(0.97);
    }
  });

  it("switches to the Poisson base when some day has more conversions than clicks", () => {
    const f = driftFilter(rowsOf([{ n: 10, y: 12 }, { n: 20, y: 3 }, { n: 15, y: 4 }]));
    expect(f.base).toBe("poisson");
    expect(dayDistribution(f.state, 10).mean).toBeCloseTo((10 * f.state.a) / f.state.b, 10);
  });
});

describe("rolling calibration of the drifting model", () => {
  it("holds on a fixed rate without widening the band (5 seeds: PIT coverage90 in [0.85, 0.95], width <= 1.1x fixed)", () => {
    // Per seed 351 scored days: the PIT coverage's sd is ~0.016, so [0.85, 0.95] is ~3 sd either side.
    for (const seed of [1, 2, 3, 4, 5]) {
      const rows = fixedDays(seed);
      const c = driftCalibration(rows).calibration;
      const fixed = driftCalibration(rows, { discounts: [1], shocks: [0] }).calibration;
      expect(c.pitCoverage90).toBeGreaterThanOrEqual(0.85);
      expect(c.pitCoverage90).toBeLessThanOrEqual(0.95);
      expect((c.meanWidth90 ?? Infinity) / (fixed.meanWidth90 ?? NaN)).toBeLessThanOrEqual(1.1);
    }
  });

  it("holds on a drifting rate where the fixed rate fails (5 seeds: PIT coverage90 in [0.85, 0.95]; fixed < 0.85 on average)", () => {
    let fixedMean = 0;
    for (const seed of [101, 102, 103, 104, 105]) {
      const rows = driftingDays(seed);
      const c = driftCalibration(rows).calibration;
      expect(c.pitCoverage90).toBeGreaterThanOrEqual(0.85);
      expect(c.pitCoverage90).toBeLessThanOrEqual(0.95);
      fixedMean += (driftCalibration(rows, { discounts: [1], shocks: [0] }).calibration.pitCoverage90 ?? NaN) / 5;
    }
    expect(fixedMean).toBeLessThan(0.85);
  });

  it("drawn bands hold at large counts, where discreteness no longer pads them (3 seeds, ~90 conversions a day)", () => {
    for (const seed of [201, 202, 203]) {
      const c = driftCalibration(driftingDays(seed, 365, 2500, 3500)).calibration;
      expect(c.coverage90).toBeGreaterThanOrEqual(0.85);
      expect(c.coverage90).toBeLessThanOrEqual(0.95);
    }
  });

  it("gives uniform PITs on a drifting rate (10 bins over 5 x 351 days: chi-square(9) < 27.9, its 99.9% point)", () => {
    const bins = new Array<number>(10).fill(0);
    let n = 0;
    for (const seed of [111, 112, 113, 114, 115]) {
      for (const r of driftCalibration(driftingDays(seed), { seed }).calibration.rows) {
        bins[Math.min(9, Math.floor(r.pit * 10))]! += 1;
        n++;
      }
    }
    const e = n / 10;
    const chi2 = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it("draws the scored band on the chart: the share of scored chart days inside equals coverage90", () => {
    const rows = driftingDays(7, 120);
    const { calibration, band } = driftCalibration(rows, { warmupDays: 14 });
    expect(band).toHaveLength(120);
    expect(band.slice(0, 14).every((b) => b.warmup && !b.scored)).toBe(true);
    const scored = band.filter((b) => b.scored);
    expect(scored).toHaveLength(calibration.days);
    expect(scored.filter((b) => b.position === "inside").length / scored.length).toBeCloseTo(calibration.coverage90 ?? NaN, 12);
    scored.forEach((b, i) => {
      const r = calibration.rows[i];
      expect([b.date, b.lo90, b.hi90, b.lo50, b.hi50]).toEqual([r?.date, r?.lo90, r?.hi90, r?.lo50, r?.hi50]);
    });
  });

  it("scores each day with the same numbers as the tabulated predictive (quantiles and RPS, 1e-12)", () => {
    const rows = driftingDays(8, 60);
    const { calibration, filter } = driftCalibration(rows);
    calibration.rows.forEach((r, i) => {
      const t = 14 + i;
      const d = dayDistribution(filter.stateBefore(t), r.clicks);
      expect(r.expected).toBeCloseTo(d.mean, 9);
      let F = 0;
      let lo = -1;
      let hi = -1;
      d.pmf.forEach((p, k) => {
        F += p;
        if (lo < 0 && F >= 0.05 - 1e-12) lo = d.offset + k;
        if (hi < 0 && F >= 0.95 - 1e-12) hi = d.offset + k;
      });
      expect([r.lo90, r.hi90]).toEqual([lo, hi]);
    });
  });

  it("the filter's path arrays hold stateBefore's values, and a Poisson-base campaign is scored from them too", () => {
    const rows = driftingDays(9, 80).map((r, i) => (i % 11 === 5 ? { ...r, conversions: r.clicks + 2 } : r));
    const { calibration, filter } = driftCalibration(rows);
    expect(filter.base).toBe("poisson");
    for (let t = 0; t <= rows.length; t++) {
      const s = filter.stateBefore(t);
      const g = filter.path.point[t] as number;
      expect([filter.path.a[t], filter.path.b[t], filter.path.delta[g], filter.path.s2[g]]).toEqual([s.a, s.b, s.delta, s.s2]);
    }
    expect(calibration.days).toBeGreaterThan(50);
    for (const r of calibration.rows) {
      const t = rows.findIndex((x) => x.date === r.date);
      const d = dayDistribution(filter.stateBefore(t), r.clicks);
      // The NB mean n m against the scratch table's closed form: the same expression, so equal to rounding.
      expect(Math.abs(r.expected / d.mean - 1)).toBeLessThan(1e-12);
      expect(momentsOf(d).mean).toBeCloseTo(d.mean, 6);
    }
  });
});

describe("window and horizon laws", () => {
  const state: DriftState = { base: "binomial", a: 60.5, b: 1940.5, delta: 0.9, s2: 0.01 };

  it("horizonMoments equals the double sum of V_min(j,k) plus the shocks (relative 1e-12)", () => {
    const clicks = [300, 0, 250, 410];
    const m = state.a / (state.a + state.b);
    const V = clicks.map((_, k) => (m * (1 - m)) / (state.delta ** (k + 1) * (state.a + state.b) + 1));
    let level = 0;
    let shock = 0;
    clicks.forEach((nj, j) =>
      clicks.forEach((nk, k) => {
        level += nj * nk * (V[Math.min(j, k)] as number);
      }),
    );
    clicks.forEach((n, k) => (shock += state.s2 * n * n * ((V[k] as number) + m * m)));
    const N = clicks.reduce((s, n) => s + n, 0);
    const h = horizonMoments(state, clicks);
    expect(Math.abs(h.cvLevel2 / (level / (N * N * m * m)) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(h.cvShock2 / (shock / (N * N * m * m)) - 1)).toBeLessThan(1e-12);
  });

  it("windowDistribution has mean N m and variance N m (1 - m) + N (N - 1) Var(q-bar) (relative 1e-9)", () => {
    const clicks = [300, 320, 280, 310, 305, 290, 330];
    const N = clicks.reduce((s, n) => s + n, 0);
    const h = horizonMoments(state, clicks);
    const d = windowDistribution(state, clicks);
    const mo = momentsOf(d);
    const vq = h.m * h.m * (h.cvLevel2 + h.cvShock2);
    expect(Math.abs(mo.mean / (N * h.m) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(mo.variance / (N * h.m * (1 - h.m) + N * (N - 1) * vq) - 1)).toBeLessThan(1e-9);
  });

  it("is the fixed-rate beta-binomial with discount 1 and no shock, and wider with drift", () => {
    const fixed: DriftState = { ...state, delta: 1, s2: 0 };
    const clicks = [300, 300, 300];
    const d = windowDistribution(fixed, clicks);
    const bb = betaBinomialDistribution(900, fixed.a, fixed.b);
    expect(d.offset).toBe(bb.offset);
    expect(Array.from(d.pmf)).toEqual(Array.from(bb.pmf));
    expect(momentsOf(windowDistribution(state, clicks)).variance).toBeGreaterThan(momentsOf(d).variance);
  });

  it("a week's forecast model carries the drift: its rate CV grows with the horizon, and equals the state's at delta 1", () => {
    const disp = rateModel([]).dispersion;
    const day = horizonRateModel(state, 1, disp);
    const month = horizonRateModel(state, 30, disp);
    expect(month.cv2).toBeGreaterThan(day.cv2);
    expect(month.r).toBeCloseTo(1 / state.s2, 12);
    const still = horizonRateModel({ ...state, delta: 1, s2: 0 }, 30, disp);
    expect([still.a, still.b, still.r]).toEqual([state.a, state.b, undefined]);
  });
});
