import { describe, expect, it } from "vitest";
import { lognormalGridTransform, momentMatchedLognormal, severityCharacteristic } from "@/lib/engine/severity-transform";
import { negativeBinomial } from "@/lib/engine/frequency";
import { pooledShare, shareMoments } from "@/lib/engine/pool";
import { capSeverity, lognormalSeverity, type Severity } from "@/lib/engine/severity";
import { discretise } from "@/lib/engine/discretise";

/**
 * The lognormal's transform on a coarse grid (lib/engine/coarse.ts): the moment-matched split against the closed-form
 * moments, the grid transform against an independent quadrature of the characteristic function, and a heavy-tailed
 * pool (the order values of a real daily campaign: lognormal sigma 1.63 behind a negative binomial count) whose
 * density-sampled lattice must keep the closed-form mean and CV.
 */

/** E[exp(-i t X)] for X = exp(mu + sigma Z) by the trapezoid rule in z on [-12, 12] (2e5 intervals): independent of
 * any lattice of X; accurate to ~1e-12 while t exp(mu + 12 sigma) is a few hundred radians or less. */
function lognormalCf(mu: number, sigma: number, t: number): [number, number] {
  const m = 200_000;
  const dz = 24 / m;
  let re = 0;
  let im = 0;
  for (let i = 0; i <= m; i++) {
    const z = -12 + i * dz;
    const w = (i === 0 || i === m ? 0.5 : 1) * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) * dz;
    const a = t * Math.exp(mu + sigma * z);
    re += w * Math.cos(a);
    im -= w * Math.sin(a);
  }
  return [re, im];
}

describe("grid transform of a lognormal", () => {
  it("the moment-matched split keeps E[X] and E[X^2] (closed forms e^0.5 and e^2; the mass above the 1e-13 point moves them by < 1e-7)", () => {
    const s = lognormalSeverity(0, 1);
    const h = 0.5;
    const pmf = momentMatchedLognormal(s, h, s.upperPoint(1e-13));
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    pmf.forEach((p, k) => {
      m0 += p;
      m1 += p * k * h;
      m2 += p * (k * h) ** 2;
    });
    expect(Math.abs(m0 - 1)).toBeLessThan(1e-12);
    // E[X; X > top] / E[X] = Phi-bar(7.35 - 1) ~ 1e-10; E[X^2; X > top] / E[X^2] = Phi-bar(7.35 - 2) ~ 4e-8.
    expect(Math.abs(m1 / Math.exp(0.5) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(m2 / Math.exp(2) - 1)).toBeLessThan(1e-7);
  });

  it("matches a quadrature of the characteristic function within its error bound (t h')^r / 4 + 1e-10", () => {
    const mu = 0;
    const sigma = 0.5;
    const s = lognormalSeverity(mu, sigma);
    const n = 256;
    const step = 0.5;
    // h = 0.01: the mean-preserving split (r = 2) at h' = n step / P <= 0.01.
    const g = lognormalGridTransform(s, n, step, 0.01);
    expect(g).not.toBeNull();
    if (!g) return;
    for (const j of [0, 1, 5, 20, 64, 128]) {
      const t = (2 * Math.PI * j) / (n * step);
      const [re, im] = lognormalCf(mu, sigma, t);
      // The mean-preserving split's bound (coarse.ts GRID_ERROR_CONSTANT): 2 (t h' / 2)^2 / 2! per unit mass.
      const bound = 0.25 * (t * g.fine) ** g.order + 1e-10;
      expect(Math.hypot((g.values[2 * j] as number) - re, (g.values[2 * j + 1] as number) - im)).toBeLessThan(bound);
    }
  });

  it("gives one frequency's value before the table is made, equal to the table's (1e-15 absolute)", () => {
    // a wide split (the moment-matched one on 2^20 points) and a narrow one (mean-preserving)
    for (const [mu, sigma, n, step, h] of [
      [2, 1.63, 16384, 250, 1],
      [0, 0.5, 256, 0.5, 0.01],
    ] as const) {
      const s = lognormalSeverity(mu, sigma);
      const g = lognormalGridTransform(s, n, step, h);
      expect(g).not.toBeNull();
      if (!g) return;
      const js = [0, 1, 7, n / 4 + 3, n / 2];
      const direct = js.map((j) => {
        const out = new Float64Array(2);
        g.valueAt(j, out, 0);
        return out;
      });
      const table = g.values;
      js.forEach((j, i) => {
        const d = direct[i] as Float64Array;
        expect(Math.hypot((d[0] as number) - (table[2 * j] as number), (d[1] as number) - (table[2 * j + 1] as number))).toBeLessThan(1e-15);
      });
    }
  });

  it("a heavy-tailed pool is density-sampled with the closed-form mean (1e-6) and CV (1e-4)", () => {
    // The real daily campaign's week forecast in ../shared (lib/analysis/pooling.ts campaignOutcome): negative
    // binomial r 60.44, mean 48,699 orders a week; order values lognormal(2.5698, 1.6259).
    const f = negativeBinomial(60.441477593163675, 48698.85005601628);
    const s = lognormalSeverity(2.569813464633622, 1.6258754052768982);
    for (const k of [1, 37]) {
      const r = pooledShare({ frequency: f, severity: s, k });
      expect(r.method).toBe("fft-density");
      const closed = shareMoments(f, s, k, 0);
      expect(Math.abs(r.distribution.mean / closed.mean - 1)).toBeLessThan(1e-6);
      expect(Math.abs(r.distribution.cv / closed.cv - 1)).toBeLessThan(1e-4);
    }
  }, 60_000);
});

describe("severityCharacteristic's bin-by-bin transform, kept between requests on the same order values", () => {
  /** sum_k f_k exp(-i t k h) over a fresh rounding lattice of s at h, with exact cos and sin per term. */
  function direct(s: Severity, h: number, t: number): [number, number] {
    const f = discretise(s, h).pmf;
    let re = 0;
    let im = 0;
    f.forEach((p, k) => {
      re += p * Math.cos(t * k * h);
      im -= p * Math.sin(t * k * h);
    });
    return [re, im];
  }

  it("gives each severity its own transform when calls on different ones interleave (the direct sum, 1e-13)", () => {
    // A whole lognormal, another one, and the first capped (same kind): the kept rounding lattice is keyed by what
    // fixes each, so no call reads another's. The recurrence re-anchored every 32 terms agrees with exact cos and
    // sin per term to ~1e-15.
    const whole = lognormalSeverity(2.57, 1.63);
    const other = lognormalSeverity(2.57, 1.2);
    const capped = capSeverity(whole, whole.upperPoint(1e-4));
    expect(Math.abs(capped.mean / whole.mean - 1)).toBeGreaterThan(1e-3);
    const out = new Float64Array(2);
    for (let round = 0; round < 2; round++) {
      for (const s of [whole, other, capped]) {
        const h = Math.max(Math.min(s.mean, Math.sqrt(s.variance)) / 100, s.upperPoint(1e-13) / (1 << 18));
        for (const t of [0.3 / h, 2 / h]) {
          severityCharacteristic(s).cf(t, out, 0);
          const [re, im] = direct(s, h, t);
          expect(Math.hypot((out[0] as number) - re, (out[1] as number) - im)).toBeLessThan(1e-13);
        }
      }
    }
  });
});
