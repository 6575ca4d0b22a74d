/**
 * Reproduces the shared coin reference figures (../shared/data/coins/reference.json) from the Yahoo price files
 * beside them, for BTC, ETH, USDC and USDT. Runs only where that folder exists (the data are not part of the repo).
 * Tolerances follow the decimals quoted (half a unit in the last place, doubled): daily sd 8 decimals -> 1e-8;
 * annualized volatility, worst/best day, drawdown and quantiles 6 decimals -> 1e-6; skewness and kurtosis 4
 * decimals -> 1e-4; daily mean 8 decimals or 3 significant figures (stablecoins) -> 1e-8 or 0.5% of it.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeCoin } from "@/lib/engine/coins";
import { COIN_REFERENCE } from "@/lib/engine/coins-reference";
import { parseYahooCsv } from "@/lib/ingest/prices";

const dir = path.resolve(process.cwd(), "../shared/data/coins");

/** Read on first use inside a test, never while vitest collects: a clone with no ../shared must still pass. */
type Reference = {
    coins: {
      symbol: string;
      first_date: string;
      last_date: string;
      days: number;
      returns: number;
      daily_log_return_mean: number;
      daily_log_return_sd: number;
      annualized_volatility: number;
      skewness: number;
      excess_kurtosis: number;
      worst_day: number;
      best_day: number;
      max_drawdown: number;
      quantiles: Record<string, number>;
      histogram?: { bin_width: number; first_edge: number; counts: number[] };
    }[];
};
let loaded: Reference | undefined;
function readReference(): Reference {
  loaded ??= JSON.parse(fs.readFileSync(path.join(dir, "reference.json"), "utf8")) as Reference;
  return loaded;
}

describe.skipIf(!fs.existsSync(dir))("coin figures against the shared reference", () => {
  it("has the four coins, and the built-in figures quote it", () => {
    const reference = readReference();
    expect(reference.coins.map((c) => c.symbol)).toEqual(["BTC", "ETH", "USDC", "USDT"]);
    for (const c of reference.coins) {
      const q = COIN_REFERENCE.find((x) => x.symbol === c.symbol);
      expect(q?.annualizedVolatility).toBe(c.annualized_volatility);
      expect(q?.dailySd).toBe(c.daily_log_return_sd);
      expect(q?.maxDrawdown).toBe(c.max_drawdown);
      expect(q?.worstDay).toBe(c.worst_day);
      expect(q?.quantiles).toEqual(c.quantiles);
      expect(q?.histogram.counts).toEqual(c.histogram?.counts);
    }
  });

  for (const symbol of ["BTC", "ETH", "USDC", "USDT"]) {
    it(`reproduces ${symbol}'s volatility, moments, extremes, drawdown, quantiles and histogram`, () => {
      const ref = readReference().coins.find((c) => c.symbol === symbol);
      expect(ref).toBeDefined();
      if (!ref) return;
      const series = parseYahooCsv(fs.readFileSync(path.join(dir, `${symbol}-USD.csv`), "utf8"));
      const h = ref.histogram;
      const d = describeCoin(series, h ? { firstEdge: h.first_edge, binWidth: h.bin_width, bins: h.counts.length } : undefined);
      const s = d.stats;
      expect(s).not.toBeNull();
      if (!s) return;
      expect([d.firstDate, d.lastDate, d.days, s.count]).toEqual([ref.first_date, ref.last_date, ref.days, ref.returns]);
      const mean = ref.daily_log_return_mean;
      expect(Math.abs(s.mean - mean)).toBeLessThan(Math.max(1e-8, 5e-3 * Math.abs(mean)));
      expect(Math.abs(s.sd - ref.daily_log_return_sd)).toBeLessThan(1e-8);
      expect(Math.abs(s.annualizedVolatility - ref.annualized_volatility)).toBeLessThan(1e-6);
      expect(Math.abs((s.skewness ?? NaN) - ref.skewness)).toBeLessThan(1e-4);
      expect(Math.abs((s.excessKurtosis ?? NaN) - ref.excess_kurtosis)).toBeLessThan(1e-4);
      expect(Math.abs(s.worst - ref.worst_day)).toBeLessThan(1e-6);
      expect(Math.abs(s.best - ref.best_day)).toBeLessThan(1e-6);
      expect(Math.abs(d.maxDrawdown - ref.max_drawdown)).toBeLessThan(1e-6);
      for (const [q, v] of Object.entries(ref.quantiles)) expect(Math.abs((s.quantiles[q] ?? NaN) - v)).toBeLessThan(1e-6);
      if (h) {
        // The reference binned with accumulated floating-point edges (edge 60 = 2.8e-16, not 0), so a return of
        // exactly 0 lands one bin lower there than with edges firstEdge + i w: allow one value to move one bin.
        const diff = d.histogram.counts.map((c, i) => c - (h.counts[i] ?? 0));
        expect(diff.reduce((a, b) => a + b, 0)).toBe(0);
        expect(diff.reduce((a, b) => a + Math.abs(b), 0)).toBeLessThanOrEqual(2);
      }
    });
  }
});
