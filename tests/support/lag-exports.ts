/**
 * Simulated successive exports of an account whose conversions mature: each campaign-day has a final count
 * K ~ Poisson(lambda); each conversion's click falls at u ~ U(0, 1) within its day and is credited after an
 * Exponential(k) delay T (drawn once, so every export of the day agrees on it). An export ending on day E is read at
 * the end of that day, so it shows the conversions with t + u + T <= E + 1, i.e. T <= (E - t) + (1 - u): the
 * discretised exponential delay of lib/engine/lag.ts at age a = E - t. Weekly exports cover the `window` days up to
 * their end; the first export is a base of `baseDays` days.
 */
import { createRng } from "@/lib/engine/rng";

export interface SimCampaign {
  name: string;
  /** Final conversions per day (Poisson mean). */
  lambda: number;
  /** Delay rate per day. */
  k: number;
}

export interface SimExport {
  /** Last day of the export (index from day 0). */
  end: number;
  /** Rows: campaign, day index, conversions shown. */
  rows: { campaign: string; day: number; conversions: number; clicks: number }[];
}

/**
 * The exports: a base covering days [0, baseDays), then `weeks` weekly exports of `window` days ending on
 * baseDays - 1 + 7 w. Seeded; the same seed gives the same exports.
 */
export function simulateExports(opts: { seed: number; campaigns: SimCampaign[]; baseDays: number; weeks: number; window: number }): SimExport[] {
  const rng = createRng(opts.seed);
  const lastDay = opts.baseDays - 1 + 7 * opts.weeks;
  // each conversion's threshold T - (1 - u): it shows in an export where its day has age a >= the threshold
  const thresholds: Float64Array[][] = opts.campaigns.map((c) => {
    const out: Float64Array[] = [];
    for (let t = 0; t <= lastDay; t++) {
      const K = rng.poisson(c.lambda);
      const th = new Float64Array(K);
      for (let i = 0; i < K; i++) {
        const u = rng.uniform();
        const T = -Math.log(1 - rng.uniform()) / c.k;
        th[i] = T - (1 - u);
      }
      out.push(th);
    }
    return out;
  });
  const exportOf = (from: number, end: number): SimExport => {
    const rows: SimExport["rows"] = [];
    for (let t = Math.max(0, from); t <= end; t++) {
      opts.campaigns.forEach((c, ci) => {
        const th = thresholds[ci]![t]!;
        const a = end - t;
        let n = 0;
        for (const x of th) if (x <= a) n++;
        rows.push({ campaign: c.name, day: t, conversions: n, clicks: 100 + Math.round(c.lambda * 20) });
      });
    }
    return { end, rows };
  };
  const out = [exportOf(0, opts.baseDays - 1)];
  for (let w = 1; w <= opts.weeks; w++) {
    const end = opts.baseDays - 1 + 7 * w;
    out.push(exportOf(end - opts.window + 1, end));
  }
  return out;
}
