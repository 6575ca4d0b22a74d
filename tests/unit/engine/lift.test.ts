import { describe, expect, it } from "vitest";
import { beforeModel, changeLift, compareRates, compareRevenue, daysToDetect, detectionPower, predictAfter } from "@/lib/engine/lift";
import { probabilityGreater, ratioCdf, ratioQuantile } from "@/lib/engine/lift/beta";
import { ratePosterior } from "@/lib/engine/estimate/rates";
import type { DayRow } from "@/lib/engine/estimate/types";
import { createRng, type Rng } from "@/lib/engine/rng";
import ref from "../../fixtures/engine/lift-reference.json";

const betaDraw = (rng: Rng, a: number, b: number) => {
  const g = rng.gamma(a);
  return g / (g + rng.gamma(b));
};

describe("compareRates", () => {
  it("gives scipy's P(after > before) and lift quantiles for 300/10,000 against 360/10,000 (1e-9 abs, 1e-7 rel)", () => {
    const c = ref.cases[1]!; // Beta(300.5, 9700.5) against Beta(360.5, 9640.5)
    const r = compareRates({ conversions: 300, clicks: 10_000 }, { conversions: 360, clicks: 10_000 });
    expect(Math.abs(r.pGreater! - c.pGreater)).toBeLessThan(1e-9);
    expect(Math.abs((r.lift!.median + 1) / c.ratioQuantiles["0.5"] - 1)).toBeLessThan(1e-7);
    expect(Math.abs((r.lift!.lo90 + 1) / c.ratioQuantiles["0.05"] - 1)).toBeLessThan(1e-7);
    expect(Math.abs((r.lift!.hi90 + 1) / c.ratioQuantiles["0.95"] - 1)).toBeLessThan(1e-7);
    expect(Math.abs(r.expectedLoss!.x - c.lossX!)).toBeLessThan(1e-9);
  });

  it("agrees with 400,000 seeded draws of the two posteriors: P(after > before) within 4 standard errors", () => {
    const rng = createRng(7);
    const x = { conversions: 12, clicks: 900 };
    const y = { conversions: 21, clicks: 1000 };
    const r = compareRates(x, y);
    const px = ratePosterior(x.conversions, x.clicks);
    const py = ratePosterior(y.conversions, y.clicks);
    const N = 400_000;
    let greater = 0;
    let loss = 0;
    for (let i = 0; i < N; i++) {
      const dx = betaDraw(rng, px.a, px.b);
      const dy = betaDraw(rng, py.a, py.b);
      if (dy > dx) {
        greater++;
        loss += dy - dx;
      }
    }
    const p = greater / N;
    expect(Math.abs(r.pGreater! - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
    // the loss's Monte Carlo error: its sd is below the rate difference's own sd, ~0.006; 4 SE ~ 4e-5
    expect(Math.abs(r.expectedLoss!.x - loss / N)).toBeLessThan(4e-5);
  });

  it("gives no lift, probability or loss when a side has no clicks", () => {
    const r = compareRates({ conversions: 0, clicks: 0 }, { conversions: 3, clicks: 100 });
    expect([r.lift, r.pGreater, r.expectedLoss]).toEqual([null, null, null]);
    expect(r.x.noData).toBe(true);
  });
});

describe("compareRevenue (rate x mean order value, seeded Monte Carlo)", () => {
  const x = { clicks: 10_000, conversions: 300, revenue: 300 * 50 };
  const y = { clicks: 10_000, conversions: 330, revenue: 330 * 60 };

  it("reduces to the rate ratio times the ratio of average order values when every order is worth the same", () => {
    const r = compareRevenue(x, y, 0, createRng(3), 200_000)!;
    const scale = 60 / 50;
    const sx = ratePosterior(300, 10_000);
    const sy = ratePosterior(330, 10_000);
    // the sample median's error: sd ~ 1.25 x (sd of the ratio) / sqrt(N) ~ 3e-4; 4 SE
    expect(Math.abs(r.lift.median + 1 - scale * ratioQuantile(sx, sy, 0.5))).toBeLessThan(1.2e-3);
    // P(theta_y > theta_x) = P(p_y / p_x > 1 / 1.2): one minus the rate ratio's exact cdf at 1/1.2
    const pExact = 1 - ratioCdf(sx, sy, 1 / scale);
    expect(Math.abs(r.pGreater - pExact)).toBeLessThan(4 * r.se + 1e-12);
  });

  it("has the compound model's posterior mean E[p] k R / (k Y - 1) (4 Monte Carlo SE)", () => {
    const cv2 = 1.5;
    const r = compareRevenue(x, y, cv2, createRng(11), 200_000)!;
    const k = 1 / cv2;
    const px = ratePosterior(300, 10_000);
    const exact = px.mean * ((k * x.revenue) / (k * x.conversions - 1));
    // sd of one draw ~ mean x sqrt(cv_p^2 + cv_mu^2) ~ mean x 0.09; SE = that / sqrt(N)
    expect(Math.abs(r.meanX / exact - 1)).toBeLessThan((4 * 0.09) / Math.sqrt(200_000));
    expect(r.lift.lo90).toBeLessThan(r.lift.median);
    expect(r.lift.median).toBeLessThan(r.lift.hi90);
  });

  it("is the same on every run for a seed, and null without sales or revenue", () => {
    expect(compareRevenue(x, y, 1, createRng(5), 5000)).toEqual(compareRevenue(x, y, 1, createRng(5), 5000));
    expect(compareRevenue({ ...x, revenue: null }, y, 1, createRng(5))).toBeNull();
    expect(compareRevenue({ ...x, conversions: 0 }, y, 1, createRng(5))).toBeNull();
  });
});

/** Simulated daily rows: clicks ~ Poisson(clicksPerDay), conversions ~ Binomial(clicks, rate(day)). */
function simulate(rng: Rng, days: number, clicksPerDay: number, rate: (day: number) => number): DayRow[] {
  const rows: DayRow[] = [];
  for (let d = 0; d < days; d++) {
    const clicks = rng.poisson(clicksPerDay);
    const date = new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
    rows.push({ date, impressions: null, clicks, conversions: rng.binomial(clicks, rate(d)), spend: clicks * 0.5, revenue: null });
  }
  return rows;
}
const totals = (rows: DayRow[]) => ({
  clicks: rows.reduce((s, r) => s + r.clicks, 0),
  conversions: rows.reduce((s, r) => s + r.conversions, 0),
});

describe("calibration on seeded campaigns with a change on day 60", () => {
  it("P(lift > 0) is calibrated: with true lifts drawn from N(0, 0.3^2) on the log scale, each fifth of the predictions holds its share of real gains (4 SE)", () => {
    const rng = createRng(60);
    const bins = Array.from({ length: 5 }, () => ({ n: 0, predicted: 0, positive: 0 }));
    for (let i = 0; i < 1000; i++) {
      const base = 0.01 + 0.04 * rng.uniform();
      const logLift = 0.3 * rng.normal();
      const rows = simulate(rng, 120, 150, (d) => (d < 60 ? base : Math.min(0.5, base * Math.exp(logLift))));
      const p = probabilityGreater(
        ratePosterior(totals(rows.slice(0, 60)).conversions, totals(rows.slice(0, 60)).clicks),
        ratePosterior(totals(rows.slice(60)).conversions, totals(rows.slice(60)).clicks),
      );
      const bin = bins[Math.min(4, Math.floor(p * 5))]!;
      bin.n++;
      bin.predicted += p;
      if (logLift > 0) bin.positive++;
    }
    for (const b of bins) {
      expect(b.n).toBeGreaterThan(50);
      const predicted = b.predicted / b.n;
      const se = Math.sqrt((predicted * (1 - predicted)) / b.n);
      // 4 SE, plus 0.01 for the bin's spread of predictions around its mean
      expect(Math.abs(b.positive / b.n - predicted)).toBeLessThan(4 * se + 0.01);
    }
  });

  it("with no change, P(lift > 0) > 0.95 on about 5% of campaigns; with a 20% lift on most (400 campaigns each, 4 SE)", () => {
    const rng = createRng(61);
    const runs = 400;
    let falseFlags = 0;
    let seen = 0;
    let sumP = 0;
    for (let i = 0; i < runs; i++) {
      const flat = simulate(rng, 120, 150, () => 0.03);
      const p0 = probabilityGreater(
        ratePosterior(totals(flat.slice(0, 60)).conversions, totals(flat.slice(0, 60)).clicks),
        ratePosterior(totals(flat.slice(60)).conversions, totals(flat.slice(60)).clicks),
      );
      sumP += p0;
      if (p0 > 0.95) falseFlags++;
      const lifted = simulate(rng, 120, 150, (d) => (d < 60 ? 0.03 : 0.036));
      const p1 = probabilityGreater(
        ratePosterior(totals(lifted.slice(0, 60)).conversions, totals(lifted.slice(0, 60)).clicks),
        ratePosterior(totals(lifted.slice(60)).conversions, totals(lifted.slice(60)).clicks),
      );
      if (p1 > 0.95) seen++;
    }
    const se = Math.sqrt((0.05 * 0.95) / runs);
    expect(Math.abs(falseFlags / runs - 0.05)).toBeLessThan(4 * se);
    // P(lift > 0) is uniform under no change: mean 1/2, sd 1/sqrt(12 runs)
    expect(Math.abs(sumP / runs - 0.5)).toBeLessThan(4 / Math.sqrt(12 * runs));
    // 9,000 clicks a side at 3% against 3.6%: z ~ 2.3, power at the 5% level ~ 0.74
    expect(seen / runs).toBeGreaterThan(0.6);
  });
});

describe("the duration planner", () => {
  const before = ratePosterior(360, 12_000);

  it("says how many days a 20% lift takes, and its power there is what 2,000 seeded after periods show (4 SE)", () => {
    const days = daysToDetect(before, 200, 0.2)!;
    expect(days).toBeGreaterThan(10);
    expect(days).toBeLessThan(200);
    const power = detectionPower(before, 200, 0.2, days);
    expect(power).toBeGreaterThanOrEqual(0.8);
    expect(detectionPower(before, 200, 0.2, days - 1)).toBeLessThan(0.8 + 0.02); // saw-teeth of the count lattice
    const rng = createRng(99);
    const n = Math.round(200 * days);
    const p1 = before.mean * 1.2;
    const runs = 2000;
    let seen = 0;
    for (let i = 0; i < runs; i++) {
      const y = rng.binomial(n, p1);
      if (probabilityGreater(before, { a: 0.5 + y, b: 0.5 + n - y }) >= 0.95) seen++;
    }
    expect(Math.abs(seen / runs - power)).toBeLessThan(4 * Math.sqrt((power * (1 - power)) / runs));
  });

  it("needs fewer days for a larger lift or more clicks, and none when the lift cannot be told apart", () => {
    const d20 = daysToDetect(before, 200, 0.2)!;
    expect(daysToDetect(before, 200, 0.4)!).toBeLessThan(d20);
    expect(daysToDetect(before, 400, 0.2)!).toBeLessThanOrEqual(d20);
    // 12,000 clicks before: the before rate's own sd (~5% of it) hides a 10% lift whatever comes after
    expect(daysToDetect(before, 200, 0.1)).toBeNull();
    expect(daysToDetect(before, 0, 0.2)).toBeNull();
  });
});

describe("predictAfter", () => {
  it("is the fixed-rate beta-binomial of the before totals when the history is short", () => {
    const rows = simulate(createRng(1), 5, 200, () => 0.03);
    const t = totals(rows);
    const p = predictAfter(rows, [300, 300], 18)!;
    expect(p.model).toBe("fixed");
    expect(Math.abs(p.mean - (600 * (t.conversions + 0.5)) / (t.clicks + 1))).toBeLessThan(1e-9);
    expect(p.lo90).toBeLessThanOrEqual(p.mean);
    expect(p.hi90).toBeGreaterThanOrEqual(p.mean);
  });

  it("uses the drifting rate on a long history, and its 90% band holds the after period on ~90% of seeded campaigns", () => {
    const rng = createRng(2);
    let inside = 0;
    const runs = 300;
    for (let i = 0; i < runs; i++) {
      const rows = simulate(rng, 90, 150, () => 0.03);
      const p = predictAfter(rows.slice(0, 60), rows.slice(60).map((r) => r.clicks), totals(rows.slice(60)).conversions)!;
      expect(p.model).toBe("drift");
      const y = totals(rows.slice(60)).conversions;
      if (y >= p.lo90 && y <= p.hi90) inside++;
    }
    // at least 90% (the band's end atoms are whole; a drift the filter sees by chance only widens it), 4 SE below
    expect(inside / runs).toBeGreaterThan(0.9 - 4 * Math.sqrt(0.09 / runs));
  });

  it("is null without before clicks", () => {
    expect(predictAfter([], [100], 0)).toBeNull();
  });
});

/** 120 days whose log rate takes a random walk with daily sd `sd` from 3%, times (1 + lift) from day 60. */
function walk(rng: Rng, sd: number, lift: number): DayRow[] {
  let lr = Math.log(0.03);
  return simulate(rng, 120, 150, (d) => {
    lr += sd * rng.normal();
    return Math.min(0.5, Math.exp(lr) * (d >= 60 ? 1 + lift : 1));
  });
}

describe("changeLift: the lift against where the before period's drift would have gone", () => {
  it("is compareRates exactly when the before days show no drift (discount 1, no day shock; 1e-12)", () => {
    const rng = createRng(8);
    let checked = 0;
    for (let i = 0; i < 20 && checked < 3; i++) {
      const rows = simulate(rng, 120, 150, () => 0.03);
      const bm = beforeModel(rows.slice(0, 60))!;
      if (bm.state.delta !== 1 || bm.state.s2 !== 0) continue;
      const c = changeLift(rows.slice(0, 60), rows.slice(60))!;
      const f = compareRates(totals(rows.slice(0, 60)), totals(rows.slice(60)));
      expect(Math.abs(c.pGreater - f.pGreater!)).toBeLessThan(1e-12);
      expect(Math.abs(c.lift.median - f.lift!.median)).toBeLessThan(1e-9);
      checked++;
    }
    expect(checked).toBe(3);
  });

  it("says when the drift carried over the after days leaves the counterfactual rate unknown (saturated)", () => {
    // the rate jumps between 5% and 40% every three days: the filter keeps little memory and a big day shock
    const rng = createRng(21);
    const rows = simulate(rng, 90, 2000, (d) => (Math.floor(d / 3) % 2 === 0 ? 0.05 : 0.4));
    const before = rows.slice(0, 60);
    const month = changeLift(before, rows.slice(60))!;
    expect(month.model).toBe("drift");
    expect(month.saturated).toBe(true);
    expect(month.counterfactual.a + month.counterfactual.b).toBeLessThan(2);
    expect(changeLift(before, rows.slice(60, 61))!.saturated).toBe(false);
  });

  it("keeps false claims near 5% with no drift, and far below the fixed rate's where the rate wanders (300 seeded campaigns each, 4 SE)", () => {
    const runs = 300;
    const se = Math.sqrt((0.05 * 0.95) / runs);
    const flags = (sd: number) => {
      const rng = createRng(5);
      let drift = 0;
      let fixed = 0;
      for (let i = 0; i < runs; i++) {
        const rows = walk(rng, sd, 0);
        const b = rows.slice(0, 60);
        const a = rows.slice(60);
        if (changeLift(b, a)!.pGreater > 0.95) drift++;
        if (compareRates(totals(b), totals(a)).pGreater! > 0.95) fixed++;
      }
      return { drift: drift / runs, fixed: fixed / runs };
    };
    const still = flags(0);
    expect(Math.abs(still.drift - 0.05)).toBeLessThan(4 * se);
    // a log rate wandering 3% a day: the fixed rate claims a rise on ~29% of unchanged campaigns, drift-aware ~16%
    // (still above 5%: 60 days pin the walk's variance down only roughly)
    const wandering = flags(0.03);
    expect(wandering.drift).toBeLessThan(wandering.fixed - 0.05);
    expect(wandering.drift).toBeLessThan(0.25);
  }, 60_000);
});
