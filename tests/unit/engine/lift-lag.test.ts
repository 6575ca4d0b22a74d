import { describe, expect, it } from "vitest";
import { changeLift, lagExposure, predictAfter } from "@/lib/engine/lift";
import { completeness, lagCurveFromSetting, lagRate } from "@/lib/engine/lag";
import type { DayRow } from "@/lib/engine/estimate/types";
import { createRng } from "@/lib/engine/rng";

/*
 * "Did it work?" under conversion lag, by seeded simulation: 90 days of a campaign, a change on day 60, every day's
 * final conversions thinned to what has arrived by the end of the last day under a known exponential lag (90% within
 * 7 days, F(age) of lib/engine/lag.ts). Read as final, the young after days make the lift look lower than it is;
 * read through lagExposure (effective clicks F x clicks), the lift's 90% interval covers the true one about 9 times
 * in 10.
 */

const SETTING = { q: 0.9, d: 7 };
const CURVE = lagCurveFromSetting(SETTING);
const K = lagRate(SETTING);
const DAYS = 90;
const CHANGE = 60;
const CLICKS = 400;
const RATE = 0.03;
const SEEDS = 200;

const dateOf = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
const LAST = dateOf(DAYS - 1);
const OPTION = { asOf: LAST, fractions: CURVE.points.slice(0, CURVE.horizon).map((p) => p.fraction) };

/** One simulated campaign: clicks ~ Poisson(400) a day, conversions Binomial(clicks, p) thinned by F(age). */
function simulate(seed: number, lift: number): { before: DayRow[]; after: DayRow[] } {
  const rng = createRng(seed);
  const rows: DayRow[] = [];
  for (let i = 0; i < DAYS; i++) {
    const clicks = rng.poisson(CLICKS);
    const p = i >= CHANGE ? RATE * (1 + lift) : RATE;
    const final = rng.binomial(clicks, p);
    // each final conversion has arrived by the last day with probability F(age) (exact binomial thinning)
    const arrived = rng.binomial(final, completeness(DAYS - 1 - i, K));
    rows.push({ date: dateOf(i), impressions: null, clicks, conversions: arrived, spend: clicks, revenue: null });
  }
  return { before: rows.slice(0, CHANGE), after: rows.slice(CHANGE) };
}

interface Run {
  naiveMedian: number;
  median: number;
  covered: boolean;
  naiveP: number;
  p: number;
  inRange: boolean;
}

function run(seed: number, lift: number): Run {
  const { before, after } = simulate(seed, lift);
  const naive = changeLift(before, after)!;
  const ex = lagExposure(before, after, OPTION);
  const corrected = changeLift(ex.before, ex.after)!;
  const observed = ex.after.reduce((s, r) => s + r.conversions, 0);
  const pred = predictAfter(
    ex.before,
    ex.after.map((r) => r.clicks),
    observed,
  )!;
  return {
    naiveMedian: naive.lift.median,
    median: corrected.lift.median,
    covered: corrected.lift.lo90 <= lift && lift <= corrected.lift.hi90,
    naiveP: naive.pGreater,
    p: corrected.pGreater,
    inRange: pred.lo90 <= observed && observed <= pred.hi90,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe("lagExposure", () => {
  it("thins only the days younger than the horizon, by F(age): the after period's effective clicks are sum F n", () => {
    const { before, after } = simulate(1, 0.2);
    const ex = lagExposure(before, after, OPTION);
    expect(ex.provisionalAfter).toBe(CURVE.horizon); // ages 0 .. 13 of the 30 after days
    expect(ex.provisionalBefore).toBe(0);
    let expected = 0;
    after.forEach((r, i) => (expected += r.clicks * Math.min(1, i >= after.length - CURVE.horizon ? completeness(after.length - 1 - i, K) : 1)));
    expect(Math.abs(ex.effectiveAfter / expected - 1)).toBeLessThan(1e-12); // the same sum, summed in another order
    expect(ex.effectiveBefore).toBe(before.reduce((s, r) => s + r.clicks, 0));
    // a change 5 days before the as-of date: the before period's last 9 days are young too
    const all = [...before, ...after];
    const ex5 = lagExposure(all.slice(0, DAYS - 5), all.slice(DAYS - 5), OPTION);
    expect(ex5.provisionalAfter).toBe(5);
    expect(ex5.provisionalBefore).toBe(CURVE.horizon - 5);
    // no lag option: the days as they are
    const none = lagExposure(before, after, undefined);
    expect(none.after).toEqual(after);
    expect(none.provisionalAfter).toBe(0);
  });
});

describe("the lift of a change under conversion lag (200 seeded campaigns, change on day 60 of 90)", () => {
  it("a 20% lift: read as final it is biased low; read by what arrived, its 90% interval covers 0.2 in about 90% of seeds", () => {
    const runs = Array.from({ length: SEEDS }, (_, s) => run(1000 + s, 0.2));
    const naive = median(runs.map((r) => r.naiveMedian));
    const corrected = median(runs.map((r) => r.median));
    const coverage = runs.filter((r) => r.covered).length / SEEDS;
    // The after period holds ~ (30 - 1/k) / 30 = 0.90 of its final conversions, so read as final its lift is about
    // 1.2 x 0.90 - 1 = 0.08: the median over seeds of the naive median sits far below 0.2.
    expect(naive).toBeLessThan(0.12);
    // Corrected, the median of the posterior medians is within 0.03 of 0.2 (its spread over seeds is ~0.07, so
    // the median of 200 has a standard error of ~0.006).
    expect(Math.abs(corrected - 0.2)).toBeLessThan(0.03);
    // 90% nominal coverage; binomial standard error over 200 seeds is 0.021: 4 SE either side.
    expect(coverage).toBeGreaterThan(0.9 - 4 * 0.021);
    expect(coverage).toBeLessThan(Math.min(1, 0.9 + 4 * 0.021));
  }, 60_000);

  it("no change: P(lift > 0) stays centred on 1/2 when read by what arrived, and read as final is pushed towards 0", () => {
    const runs = Array.from({ length: SEEDS }, (_, s) => run(5000 + s, 0));
    const pCorrected = mean(runs.map((r) => r.p));
    const pNaive = mean(runs.map((r) => r.naiveP));
    // Under no change P(lift > 0) is about uniform over seeds: mean 1/2, sd 0.29 / sqrt(200) = 0.02 (4 SE = 0.08).
    expect(Math.abs(pCorrected - 0.5)).toBeLessThan(0.08);
    // read as final, the ~10% of conversions still missing look like a drop
    expect(pNaive).toBeLessThan(0.3);
    // the false "worse" (P(lift > 0) < 5%) stays near 5% with the correction (binomial SE 0.015 over 200 seeds)
    const falseWorse = runs.filter((r) => r.p < 0.05).length / SEEDS;
    expect(falseWorse).toBeLessThan(0.05 + 4 * 0.015);
    // read as final, almost half the unchanged campaigns would be called worse (0.46 on these seeds)
    expect(runs.filter((r) => r.naiveP < 0.05).length / SEEDS).toBeGreaterThan(0.3);
    // and the arrived after-period count lands inside its predicted 90% range about 9 times in 10
    const inRange = runs.filter((r) => r.inRange).length / SEEDS;
    expect(inRange).toBeGreaterThan(0.9 - 4 * 0.021);
  }, 60_000);
});
