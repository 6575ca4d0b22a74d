/**
 * The collar desk's service (lib/analysis/collar.ts). References: tests/fixtures/labs/reference.py (a collar on
 * Poisson(3) counts, solved with scipy's brentq on the exact pmf) and the coin reference figures.
 */
import { describe, expect, it } from "vitest";
import { collarDesk, lowerTailMean, referenceHolding, referenceReturns } from "@/lib/analysis/collar";
import { specOutcome } from "@/lib/analysis/pooling-source";
import { COIN_REFERENCE } from "@/lib/engine/coins-reference";
import { AppError } from "@/lib/errors";
import ref from "../../fixtures/labs/reference.json";

const counts = specOutcome({ frequency: { kind: "poisson", lambda: 3 }, severity: { kind: "constant", value: 1 } });
const revenue = specOutcome({ frequency: { kind: "poisson", lambda: 50 }, severity: { kind: "lognormal", mu: 4, sigma: 1 } });
const btc = COIN_REFERENCE.find((c) => c.symbol === "BTC")!;

describe("collarDesk: zero cost", () => {
  const c = ref.poisson3_collar;
  const d = collarDesk(counts, { floor: c.floor, zeroCost: true, coin: "BTC" }, 7);

  it("values the floor at E[(F - S)+] = P(S = 0) = e^-3 for Poisson(3) counts with floor 1 (1e-12)", () => {
    expect(Math.abs(d.put - c.put)).toBeLessThan(1e-12);
  });

  it("solves the cap where E[(S - C)+] = e^-3 (scipy brentq: within 1e-9)", () => {
    expect(Math.abs(d.cap - c.zeroCostCap)).toBeLessThan(1e-9);
  });

  it("costs nothing: |put - call| < 1e-6 of the mean", () => {
    expect(Math.abs(d.premium)).toBeLessThan(1e-6 * c.mean);
    expect(Math.abs(d.put - d.call)).toBeLessThan(1e-6 * c.mean);
  });

  it("keeps the collared payoff within [floor, cap], with the rest of the mass on the two spikes", () => {
    for (const b of d.after.histogram) {
      if (b.p > 0) {
        expect(b.x - b.width / 2).toBeGreaterThanOrEqual(d.floor - 1e-9);
        expect(b.x + b.width / 2).toBeLessThanOrEqual(d.cap + 1 + 1e-9);
      }
    }
    const [floorAtom, capAtom] = d.after.atoms;
    expect(floorAtom).toMatchObject({ x: d.floor, label: "floor" });
    expect(capAtom).toMatchObject({ x: d.cap, label: "cap" });
    // P(S <= 1) = 4 e^-3 for Poisson(3).
    expect(floorAtom!.p).toBeCloseTo(4 * Math.exp(-3), 12);
    const inside = d.after.histogram.reduce((s, b) => s + b.p, 0);
    expect(inside + floorAtom!.p + capAtom!.p).toBeCloseTo(1, 9);
  });

  it("never lowers the 5% quantile and leaves the mean where it was", () => {
    expect(d.q05Gained).toBeGreaterThanOrEqual(0);
    expect(Math.abs(d.meanGivenUp)).toBeLessThan(1e-6 * c.mean);
    expect(d.after.figures.q05).toBeGreaterThanOrEqual(d.floor);
    expect(d.after.figures.q95).toBeLessThanOrEqual(d.cap);
  });

  it("on revenue (Poisson(50) x lognormal(4, 1)) with the default floor (10% quantile) also costs nothing", () => {
    const r = collarDesk(revenue, { zeroCost: true, coin: "BTC" }, 7);
    expect(Math.abs(r.premium)).toBeLessThan(1e-6 * r.before.figures.mean);
    expect(r.floor).toBeGreaterThan(r.before.figures.q05);
    expect(r.q05Gained).toBeGreaterThan(0);
    expect(r.after.figures.worst5).toBeGreaterThan(r.before.figures.worst5);
  });
});

describe("collarDesk: a cap set by hand", () => {
  it("charges the premium put - call and moves the mean by the same amount", () => {
    const d = collarDesk(counts, { floor: 2, cap: 6, zeroCost: false, coin: "BTC" }, 7);
    expect(d.premium).toBeCloseTo(d.put - d.call, 12);
    expect(d.after.figures.mean - d.before.figures.mean).toBeCloseTo(d.put - d.call, 9);
    expect(d.meanGivenUp).toBeCloseTo(d.call - d.put, 12);
  });

  it("refuses a cap below the floor", () => {
    expect(() => collarDesk(counts, { floor: 4, cap: 2, zeroCost: false, coin: "BTC" }, 7)).toThrow(/cap must not be below the floor/);
  });

  it("refuses a zero-cost floor above the mean: no cap can pay for it", () => {
    expect(() => collarDesk(counts, { floor: 5, zeroCost: true, coin: "BTC" }, 7)).toThrow(AppError);
    expect(() => collarDesk(counts, { floor: 5, zeroCost: true, coin: "BTC" }, 7)).toThrow(/no cap can pay for it/);
  });
});

describe("the coin beside it", () => {
  const d = collarDesk(revenue, { zeroCost: true, coin: "BTC" }, 30);

  it("puts the coin's floor at the campaign floor's quantile level and costs nothing (1e-6 of the $100 held)", () => {
    expect(d.coin.floorLevel).toBeGreaterThan(0.09);
    expect(d.coin.floorLevel).toBeLessThan(0.11);
    expect(Math.abs(d.coin.premium)).toBeLessThan(1e-6 * 100);
    expect(d.coin.cap).not.toBeNull();
    expect(d.coin.q05Gained).toBeGreaterThanOrEqual(0);
  });

  it("holds the coin for the campaign's horizon", () => {
    expect(d.coin.horizonDays).toBe(30);
    expect(d.coin.symbol).toBe("BTC");
  });
});

describe("referenceReturns", () => {
  const r = referenceReturns(btc);

  it("rebuilds one return per counted day (1825 for BTC)", () => {
    expect(r.length).toBe(1825);
  });

  it("matches the published daily mean 0.00070305 (1e-15)", () => {
    expect(Math.abs(r.reduce((s, x) => s + x, 0) / r.length - btc.dailyMean)).toBeLessThan(1e-15);
  });

  it("keeps the published daily sd but for the clipped worst day (within 0.5%)", () => {
    // The worst day (-0.46473) sits in the end bin at -0.2975: the variance loses (0.46473^2 - 0.2975^2) / 1824 =
    // 7.0e-5; bin centres add about w^2 / 12 = 2.1e-6. Expected sd sqrt(0.03693272^2 - 7.0e-5 + 2.1e-6) = 0.03600.
    const m = btc.dailyMean;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / (r.length - 1));
    const expected = Math.sqrt(btc.dailySd ** 2 - (0.46473 ** 2 - 0.2975 ** 2) / 1824 + 0.005 ** 2 / 12);
    expect(Math.abs(sd / expected - 1)).toBeLessThan(0.005);
  });

  it("gives a one-day holding whose mean is 100 E[e^r] (the grid is the bins' own spacing)", () => {
    const h = referenceHolding("BTC", 1);
    const expected = (100 * r.reduce((s, x) => s + Math.exp(x), 0)) / r.length;
    expect(Math.abs(h.mean / expected - 1)).toBeLessThan(1e-9);
  });
});

describe("lowerTailMean", () => {
  it("averages the worst 5% of Poisson(3) counts, splitting the atom at the quantile (scipy: 1e-9)", () => {
    const ks = Array.from({ length: 40 }, (_, k) => k);
    let f = 1;
    const probs = ks.map((k) => {
      if (k > 0) f *= k;
      return (Math.exp(-3) * 3 ** k) / f;
    });
    expect(Math.abs(lowerTailMean({ values: ks, probs }, 0.05) - ref.poisson3_worst5)).toBeLessThan(1e-9);
  });

  it("is the lowest value when it holds more than the tail's mass", () => {
    expect(lowerTailMean({ values: [0, 10], probs: [0.5, 0.5] }, 0.05)).toBe(0);
  });
});
