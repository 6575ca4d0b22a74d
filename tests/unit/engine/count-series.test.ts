import { describe, expect, it } from "vitest";
import { betaBinomialSeries, negativeBinomialMixtureSeries } from "@/lib/engine/count-series";
import { binomial, negativeBinomial } from "@/lib/engine/frequency";
import { discretise } from "@/lib/engine/discretise";
import { adaptiveMixture, latticeSeverityMoments, pooledShare, pooledTerm, shockVariance } from "@/lib/engine/pool";
import { betaQuadrature, betaTrapezoid } from "@/lib/engine/quadrature";
import { createRng } from "@/lib/engine/rng";
import { lognormalSeverity } from "@/lib/engine/severity";
import ref from "../../fixtures/engine/reference-values.json";

/** sum_m p(m) phi^m over the whole kept support, powers by repeated multiplication: the untruncated series. */
function fullSum(lo: number, pmf: Float64Array, zr: number, zi: number): [number, number] {
  let pr = 1;
  let pi = 0;
  for (let m = 0; m < lo; m++) [pr, pi] = [pr * zr - pi * zi, pr * zi + pi * zr];
  let sr = 0;
  let si = 0;
  for (let i = 0; i < pmf.length; i++) {
    sr += (pmf[i] as number) * pr;
    si += (pmf[i] as number) * pi;
    [pr, pi] = [pr * zr - pi * zi, pr * zi + pi * zr];
  }
  return [sr, si];
}

describe("beta-binomial count of a pool sharing a Beta rate", () => {
  it.each(ref.betabinom_pmf)("matches the pmf of n $n, a $a, b $b in mpmath (1e-12 relative), mean and sd (1e-12)", (c) => {
    const s = betaBinomialSeries(c.n, c.a, c.b, 1 << 20);
    if (s === null) throw new Error("expected a series");
    c.k.forEach((k, i) => {
      const want = c.pmf[i] as number;
      const got = k >= s.lo && k < s.lo + s.pmf.length ? (s.pmf[k - s.lo] as number) : 0;
      // Points left out of the support carry less than 1e-20 of mass between them.
      if (got === 0) expect(want).toBeLessThan(1e-18);
      else expect(Math.abs(got - want) / want).toBeLessThan(1e-12);
    });
    let m1 = 0;
    let m2 = 0;
    s.pmf.forEach((p, i) => {
      m1 += p * (s.lo + i);
      m2 += p * (s.lo + i) ** 2;
    });
    expect(Math.abs(m1 - c.mean) / c.mean).toBeLessThan(1e-12);
    expect(Math.abs(Math.sqrt(m2 - m1 * m1) - c.sd) / c.sd).toBeLessThan(1e-12);
    expect(Math.abs(s.mean - c.mean) / c.mean).toBeLessThan(1e-14);
  });

  it("sums to 1 (1e-14) and leaves the ends of the support only where their mass is below 1e-20", () => {
    for (const [n, a, b] of [
      [700, 1.4795, 219.36],
      [50000, 400, 19600],
      [70000, 0.37, 54.9],
    ] as const) {
      const s = betaBinomialSeries(n, a, b, 1 << 20);
      if (s === null) throw new Error("expected a series");
      expect(Math.abs(s.pmf.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-14);
      expect(s.pmf[0] as number).toBeLessThan(s.lo > 0 ? 1e-20 : 1);
      expect(s.pmf[s.pmf.length - 1] as number).toBeLessThan(1e-20);
    }
  });

  it("declines shapes b < 1 (the pmf can rise again towards n) and supports longer than asked", () => {
    expect(betaBinomialSeries(100, 0.5, 0.5, 1 << 20)).toBeNull();
    expect(betaBinomialSeries(50000, 400, 19600, 100)).toBeNull();
  });

  it("evaluates the pgf inside the disk as the untruncated series does (1e-13)", () => {
    const rng = createRng(7);
    for (const [n, a, b] of [
      [700, 1.4795, 219.36],
      [50000, 400, 19600],
      [7000, 0.37, 54.9],
    ] as const) {
      const s = betaBinomialSeries(n, a, b, 1 << 20);
      if (s === null) throw new Error("expected a series");
      const count = 200;
      const z = new Float64Array(2 * count);
      for (let i = 0; i < count; i++) {
        // Points on and near the circle (where truncation matters least) and well inside (where it matters most).
        const r = i % 2 === 0 ? 1 - 1e-4 * rng.uniform() : rng.uniform();
        const t = Math.PI * rng.uniform();
        z[2 * i] = r * Math.cos(t);
        z[2 * i + 1] = r * Math.sin(t);
      }
      const want = Array.from({ length: count }, (_, i) => fullSum(s.lo, s.pmf, z[2 * i] as number, z[2 * i + 1] as number));
      s.apply(z, count);
      want.forEach(([wr, wi], i) => {
        // Both sums round about (support length) eps near the circle; the truncation itself is below 1e-18.
        expect(Math.hypot((z[2 * i] as number) - wr, (z[2 * i + 1] as number) - wi)).toBeLessThan(1e-13);
      });
    }
  });

  it("truncates where |phi|^(m + 1) P(M > m) first falls below 1e-18 (found without a logarithm; 1 point either way)", () => {
    // The engine benchmark's slider pool: 1,000 budgets of 70 clicks sharing Beta(0.760, 112.7), a support of 23k.
    const p = 0.0067;
    const total = (1 - p) / (p * 1.2957186411798067) - 1;
    const s = betaBinomialSeries(70000, p * total, (1 - p) * total, 1 << 20);
    if (s === null) throw new Error("expected a series");
    const rng = createRng(11);
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const r = i % 3 === 0 ? 1 - 10 ** (-1 - 4 * rng.uniform()) : rng.uniform();
      const t = Math.PI * rng.uniform();
      const [zr, zi] = [r * Math.cos(t), r * Math.sin(t)];
      const steps = s.stepsAt(zr, zi);
      if (steps === 0) continue; // a transform bounded below 1e-20 is 0 without a sum
      // The definition, in logarithms: the first i with (lo + i + 1) ln|phi| + ln P(M > lo + i) < ln 1e-18.
      const lnr = Math.log(r);
      let want = s.pmf.length - 1;
      for (let j = 0; j < s.pmf.length; j++) {
        if ((s.lo + j + 1) * lnr + (s.logTail[j] as number) < Math.log(1e-18)) {
          want = j;
          break;
        }
      }
      expect(Math.abs(steps - (want + 1))).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("gives the same pooled transform as the Beta mixture by quadrature (both exact to 1e-13 on the circle)", () => {
    // 10 budgets of 70 clicks at p 0.0067 with rho 0.2 and lognormal orders: a day-level pool.
    const frequency = binomial(70, 0.0067);
    const severity = lognormalSeverity(3.5, 0.8);
    const k = 10;
    const c2 = shockVariance(frequency, severity, 0.2);
    const total = (1 - 0.0067) / (0.0067 * c2) - 1;
    const [a, b] = [0.0067 * total, (1 - 0.0067) * total];
    const mix = adaptiveMixture((nodes) => {
      const rule = a >= 1 && b >= 1 ? betaTrapezoid(a, b, nodes) : betaQuadrature(a, b, nodes);
      return { weights: rule.weights, parts: Array.from(rule.nodes, (rate) => binomial(70 * k, rate)) };
    });
    const { term, shock } = pooledTerm(frequency, Float64Array.of(0, 1), k, c2);
    expect(shock.mixing).toBe("beta-binomial");
    const count = 512;
    const z = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) {
      const t = 1e-6 * Math.pow(Math.PI / 1e-6, i / (count - 1));
      z[2 * i] = Math.cos(t);
      z[2 * i + 1] = Math.sin(t);
    }
    const quad = z.slice();
    const tmp = new Float64Array(2);
    for (let i = 0; i < count; i++) {
      let sr = 0;
      let si = 0;
      mix.parts.forEach((f, q) => {
        f.pgfAt(z[2 * i] as number, z[2 * i + 1] as number, tmp, 0);
        sr += (mix.weights[q] as number) * (tmp[0] as number);
        si += (mix.weights[q] as number) * (tmp[1] as number);
      });
      quad[2 * i] = sr;
      quad[2 * i + 1] = si;
    }
    term.apply(z, count);
    for (let i = 0; i < count; i++) {
      expect(Math.hypot((z[2 * i] as number) - (quad[2 * i] as number), (z[2 * i + 1] as number) - (quad[2 * i + 1] as number))).toBeLessThan(2e-13);
    }
  });

  it("keeps a pooled share's mean and its sd on the closed form for a day-level pool (1e-9)", () => {
    // sd_k = sqrt(Var_1 (rho + (1 - rho) / k)), Var_1 = Var_0 / (1 - rho (1 - 1/n)), with the moments of the
    // severity as rounded on the lattice (the pool makes the lattice budgets correlated exactly rho).
    const frequency = binomial(70, 0.0067);
    const severity = lognormalSeverity(3.5, 0.8);
    const x = latticeSeverityMoments(discretise(severity, 1).pmf, 1);
    const en = 70 * 0.0067;
    const ex = en * x.mean;
    const var0 = en * (x.variance + x.mean ** 2) - 70 * 0.0067 ** 2 * x.mean ** 2;
    const var1 = var0 / (1 - 0.2 * (1 - 1 / 70));
    for (const k of [1, 37, 1000]) {
      const r = pooledShare({ frequency, severity, k, rho: 0.2, step: 1 });
      expect(r.shock.mixing).toBe("beta-binomial");
      const sd = Math.sqrt(var1 * (0.2 + 0.8 / k));
      expect(Math.abs(r.distribution.mean - ex) / ex).toBeLessThan(1e-9);
      expect(Math.abs(r.distribution.sd - sd) / sd).toBeLessThan(1e-9);
    }
  });
});

describe("negative binomial mixture count of a pool sharing a Gamma shock", () => {
  it("gives scipy.stats.nbinom's pmf for one component (1e-12 relative)", () => {
    const c = ref.negbin_5_50_pmf;
    const s = negativeBinomialMixtureSeries(5, [50], [1], 1 << 20);
    if (s === null) throw new Error("expected a series");
    c.k.forEach((k, i) => {
      const want = c.pmf[i] as number;
      expect(Math.abs((s.pmf[k - s.lo] as number) - want) / want).toBeLessThan(1e-12);
    });
  });

  it("evaluates a mixture's pgf as the weighted sum of the components' closed forms (2e-14)", () => {
    // sum_q w_q (1 + mu_q (1 - z) / r)^-r for r below and above 1 and means from 0.2 to 2000.
    const rng = createRng(11);
    for (const [r, means, weights] of [
      [0.33, [0.2, 3, 40], [0.5, 0.3, 0.2]],
      [83, [0.8, 1.2], [0.6, 0.4]],
      [5, [200, 2000], [0.9, 0.1]],
    ] as const) {
      const s = negativeBinomialMixtureSeries(r, means, weights, 1 << 20);
      if (s === null) throw new Error("expected a series");
      const parts = means.map((m) => negativeBinomial(r, m));
      const count = 100;
      const z = new Float64Array(2 * count);
      for (let i = 0; i < count; i++) {
        const rad = i % 2 === 0 ? 1 : rng.uniform();
        const t = Math.PI * rng.uniform();
        z[2 * i] = rad * Math.cos(t);
        z[2 * i + 1] = rad * Math.sin(t);
      }
      const want = new Float64Array(2 * count);
      const tmp = new Float64Array(2);
      for (let i = 0; i < count; i++) {
        parts.forEach((f, q) => {
          f.pgfAt(z[2 * i] as number, z[2 * i + 1] as number, tmp, 0);
          want[2 * i] = (want[2 * i] as number) + (weights[q] as number) * (tmp[0] as number);
          want[2 * i + 1] = (want[2 * i + 1] as number) + (weights[q] as number) * (tmp[1] as number);
        });
      }
      s.apply(z, count);
      for (let i = 0; i < count; i++) {
        expect(Math.hypot((z[2 * i] as number) - (want[2 * i] as number), (z[2 * i + 1] as number) - (want[2 * i + 1] as number))).toBeLessThan(2e-14);
      }
      expect(Math.abs(s.mean - means.reduce((a, m, q) => a + m * (weights[q] as number), 0))).toBeLessThan(1e-12);
    }
  });
});
