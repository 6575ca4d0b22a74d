import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { absoluteDeviationSum, aggregate, compoundFft, frequencyTerm, gridFor, panjer } from "@/lib/engine/aggregate";
import { discretise, latticeMoments } from "@/lib/engine/discretise";
import { rfft, irfft } from "@/lib/engine/fft";
import { binomial, negativeBinomial, poisson } from "@/lib/engine/frequency";
import type { Frequency } from "@/lib/engine/frequency";
import { neumaierSum } from "@/lib/engine/numeric";
import { constantSeverity, empiricalSeverity, gammaSeverity, lognormalSeverity } from "@/lib/engine/severity";
import type { Severity } from "@/lib/engine/severity";

const rel = (a: number, b: number): number => Math.abs(a / b - 1);

describe("real FFT", () => {
  it("matches a direct DFT at every frequency and inverts to 1e-15", () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, j) => Math.sin(1.3 * j) + (j % 5));
    const y = rfft(x);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        re += (x[j] as number) * Math.cos((-2 * Math.PI * j * k) / n);
        im += (x[j] as number) * Math.sin((-2 * Math.PI * j * k) / n);
      }
      expect(Math.abs((y[2 * k] as number) - re)).toBeLessThan(1e-12);
      expect(Math.abs((y[2 * k + 1] as number) - im)).toBeLessThan(1e-12);
    }
    const back = irfft(y);
    for (let j = 0; j < n; j++) expect(Math.abs((back[j] as number) - (x[j] as number))).toBeLessThan(1e-14);
  });

  it("inverts any Hermitian half spectrum like the direct inverse DFT (1e-14), sizes 4 to 1024", () => {
    for (const n of [4, 8, 16, 128, 1024]) {
      // A spectrum not made by rfft: arbitrary values, the imaginary parts of Y_0 and Y_{N/2} zero (Hermitian).
      const y = Float64Array.from({ length: n + 2 }, (_, i) => Math.cos(0.7 * i * i) + 0.3 * Math.sin(i));
      y[1] = 0;
      y[n + 1] = 0;
      const x = irfft(y);
      for (const j of [0, 1, n / 4, n / 2 - 1, n - 1]) {
        // x_j = (1/N) [Y_0 + (-1)^j Y_{N/2} + 2 sum_{0<k<N/2} Re(Y_k e^{2 pi i j k / N})]
        let sum = (y[0] as number) + (j % 2 === 0 ? 1 : -1) * (y[n] as number);
        for (let k = 1; k < n / 2; k++) {
          const a = (2 * Math.PI * j * k) / n;
          sum += 2 * ((y[2 * k] as number) * Math.cos(a) - (y[2 * k + 1] as number) * Math.sin(a));
        }
        expect(Math.abs((x[j] as number) - sum / n)).toBeLessThan(1e-14);
      }
    }
  });
});

describe("aggregate by FFT", () => {
  it.each([
    ["Poisson(3)", poisson(3)],
    ["Poisson(800)", poisson(800)],
    ["Binomial(2000, 0.025)", binomial(2000, 0.025)],
    ["NB(5, 50)", negativeBinomial(5, 50)],
  ])("returns the %s pmf itself when every order is worth the step (constant severity 1)", (_n, f) => {
    const d = aggregate({ frequency: f, severity: constantSeverity(1), step: 1 }).distribution;
    for (let k = 0; k < 3000; k++) {
      // absolute 1e-12 per point: FFT round-off against the closed-form pmf (scipy agrees to 1e-10, see distributions.test)
      expect(Math.abs(d.cdf(k) - d.cdf(k - 1) - f.pmf(k))).toBeLessThan(1e-12);
    }
    expect(rel(d.mean, f.mean)).toBeLessThan(1e-12);
    expect(rel(d.variance, f.variance)).toBeLessThan(1e-10);
  });

  it("turns Poisson(lambda) orders of a fixed value v into the Poisson pmf on multiples of v", () => {
    const d = aggregate({ frequency: poisson(4), severity: constantSeverity(25), step: 5 }).distribution;
    expect(Math.abs(d.cdf(49.9) - poisson(4).pmf(0) - poisson(4).pmf(1))).toBeLessThan(1e-14);
    expect(Math.abs(d.pZero - Math.exp(-4))).toBeLessThan(1e-15);
  });

  it("agrees with Panjer's recursion within 1e-8 (cdf, every point), including binomial and overdispersed counts", () => {
    const cases: Array<[Frequency, Severity, number]> = [
      [poisson(12), gammaSeverity(2, 40), 1],
      [negativeBinomial(1.5, 8), lognormalSeverity(3, 0.8), 1],
      [binomial(300, 0.04), empiricalSeverity([[10, 0.3], [25, 0.5], [80, 0.2]]), 5],
      [poisson(900), constantSeverity(1), 1], // Panjer's start exp(-900) underflows: handled in log space
    ];
    for (const [f, s, h] of cases) {
      const r = aggregate({ frequency: f, severity: s, step: h });
      const length = r.offset + r.pmf.length;
      const p = panjer(f, r.severityPmf, length);
      let cp = 0;
      let worst = 0;
      for (let k = 0; k < length; k++) {
        cp += p[k] as number;
        worst = Math.max(worst, Math.abs(r.distribution.cdf(k * h) - cp));
      }
      expect(worst).toBeLessThan(1e-8);
    }
  });

  it("property: mass 1 within 1e-9, E[S] = E[N]E[X] and Var[S] = E[N]Var[X] + Var[N]E[X]^2 on the lattice", () => {
    const freq = fc.oneof(
      fc.double({ min: 0.05, max: 300, noNaN: true }).map((l) => poisson(l)),
      fc.tuple(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0.001, max: 0.9, noNaN: true })).map(([n, p]) => binomial(n, p)),
      fc.tuple(fc.double({ min: 0.3, max: 50, noNaN: true }), fc.double({ min: 0.1, max: 200, noNaN: true })).map(([r, m]) =>
        negativeBinomial(r, m),
      ),
    );
    const sev = fc.oneof(
      fc.tuple(fc.double({ min: 1, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 1.5, noNaN: true })).map(([mu, s]) =>
        lognormalSeverity(mu, s),
      ),
      fc.tuple(fc.double({ min: 0.3, max: 10, noNaN: true }), fc.double({ min: 1, max: 50, noNaN: true })).map(([a, t]) =>
        gammaSeverity(a, t),
      ),
      fc.integer({ min: 1, max: 200 }).map((v) => constantSeverity(v)),
    );
    fc.assert(
      fc.property(freq, sev, (f, s) => {
        const r = aggregate({ frequency: f, severity: s });
        const d = r.distribution;
        expect(Math.abs(neumaierSum(r.pmf) - 1)).toBeLessThan(1e-9);
        // Moments of the lattice aggregate follow the compound formulas with the lattice severity's moments.
        // Mean: 1e-7 relative. Variance: 1e-4 relative: with a rare, heavy-tailed severity (lambda 0.05,
        // lognormal sigma 1.5) values of ~1e-19 at 10^5 lattice points carry it, at the level of FFT round-off.
        const { mean: mx, secondMoment: m2x } = latticeMoments(r.severityPmf, r.step);
        const varX = m2x - mx * mx;
        expect(rel(d.mean, f.mean * mx)).toBeLessThan(1e-7);
        expect(rel(d.variance, f.mean * varX + f.variance * mx * mx)).toBeLessThan(1e-4);
        // And the automatic step keeps the continuous mean to 1e-3 relative (discretisation error).
        expect(rel(d.mean, f.mean * s.mean)).toBeLessThan(1e-3);
      }),
      { numRuns: 25, seed: 20260127 },
    );
  });

  it("works for lambda = 100,000 (the lattice sits in a window far from 0)", () => {
    const r = aggregate({ frequency: poisson(100_000), severity: lognormalSeverity(4, 1) });
    const d = r.distribution;
    expect(r.gridSize).toBeLessThanOrEqual(1 << 20);
    expect(rel(d.mean, 100_000 * Math.exp(4.5))).toBeLessThan(1e-4);
    expect(rel(d.sd, Math.sqrt(100_000 * Math.exp(10)))).toBeLessThan(1e-3);
    expect(Math.abs(neumaierSum(d.pmf) - 1)).toBeLessThan(1e-9);
    expect(d.quantile(0.5)).toBeGreaterThan(d.mean - d.sd);
  });

  it("sizes the grid so nothing wraps, and tilts when the grid must stay small", () => {
    expect(gridFor({ mean: 4500, sd: 1049, severityTop: 85000 }, 1)).toEqual({ n: 131072, tilt: 0, offset: 0 });
    // A grid capped at 2^12 for a Poisson(10) x gamma(2, 40) at step 1 (needs ~6,000 points): tilting keeps the
    // answer to 1e-6 of the full-size one.
    const f = poisson(10);
    const sev = discretise(gammaSeverity(2, 40), 1).pmf;
    const full = compoundFft([frequencyTerm(f, sev)], 1 << 14);
    const small = aggregate({ frequency: f, severity: gammaSeverity(2, 40), step: 1, maxGrid: 1 << 12 });
    expect(small.method).toBe("fft+tilt");
    let worst = 0;
    let cf = 0;
    let cs = 0;
    for (let k = 0; k < small.pmf.length; k++) {
      cf += full[k] as number;
      cs += small.pmf[k] as number;
      worst = Math.max(worst, Math.abs(cf - cs));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it("refuses a step too fine for the grid limit, naming a step that works", () => {
    expect(() => aggregate({ frequency: poisson(800), severity: lognormalSeverity(4, 1), step: 0.001 })).toThrow(
      /too fine.*use a step of at least/,
    );
  });
});

describe("absoluteDeviationSum", () => {
  it("equals the sum of |i - mu| over 0..n-1 for any mu, inside the lattice or not (1e-12 relative)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: -3000, max: 8000, noNaN: true }), (n, mu) => {
        let loop = 0;
        for (let i = 0; i < n; i++) loop += Math.abs(i - mu);
        expect(Math.abs(absoluteDeviationSum(n, mu) - loop)).toBeLessThanOrEqual(1e-12 * loop + 1e-9);
      }),
      { seed: 11, numRuns: 300 },
    );
    expect(absoluteDeviationSum(4, 1.5)).toBe(4);
  });
});
