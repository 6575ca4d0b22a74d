import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_FILES, generate, renderSampleFiles } from "@/sample-data/generate";
import { CAMPAIGNS, DAYS, DEFAULT_SEED, SHOCK, marketShock, simulate, weekdayOf } from "@/sample-data/model";
import type { DayRow } from "@/sample-data/model";
import {
  binomial,
  createRng,
  logGamma,
  lognormal,
  lognormalMu,
  normal,
  poisson,
  splitmix32,
  uniformOpen,
  xoshiro128ss,
} from "@/sample-data/random";
import { centsToDecimal, csvField, groupThousands, longDateEnGb } from "@/sample-data/render";
import type { Truth } from "@/sample-data/report";
import { expectedSurpriseCorrelation, pearson, shockVariance, surpriseCorrelations } from "@/sample-data/stats";
// Produced by `python3 sample-data/reference/random_reference.py` (numpy 2.4.6, scipy 1.17.1).
import reference from "@/sample-data/reference/reference-values.json";

const SAMPLE_DIR = fileURLToPath(new URL("../../sample-data/", import.meta.url));

/** Pearson chi-square statistic of observed counts against bin probabilities (which sum to 1). */
function chiSquare(observed: readonly number[], probs: readonly number[], n: number): number {
  return observed.reduce((acc, o, i) => acc + (o - n * probs[i]!) ** 2 / (n * probs[i]!), 0);
}

/** Counts of draws in the bins `k <= lo`, each `lo < k < hi`, `k >= hi` (as in random_reference.py). */
function binCounts(draws: readonly number[], lo: number, hi: number): number[] {
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (const k of draws) counts[k <= lo ? 0 : k >= hi ? hi - lo : k - lo]!++;
  return counts;
}

function critical(df: number): number {
  const value = (reference.chi2Critical1e6 as Record<string, number>)[String(df)];
  if (value === undefined) throw new Error(`no chi-square critical value for df ${df}`);
  return value;
}

function draws(n: number, draw: () => number): number[] {
  return Array.from({ length: n }, draw);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

describe("sample-data/random: seeded generator", () => {
  it("splitmix32 gives the outputs of the independent Python port", () => {
    for (const { state, output } of reference.splitmix32) expect(splitmix32(state)[0]).toBe(output);
  });

  it("xoshiro128** reproduces the published C code from state {1, 2, 3, 4}", () => {
    const rng = xoshiro128ss(reference.xoshiro128ssFromState.state);
    expect(reference.xoshiro128ssFromState.uint32.map(() => rng.uint32())).toEqual(reference.xoshiro128ssFromState.uint32);
  });

  it("createRng(seed, stream) gives the same words and uniforms as the Python port, exactly", () => {
    for (const ref of reference.xoshiro128ss) {
      const words = createRng(ref.seed, ref.stream);
      expect(ref.uint32.map(() => words.uint32())).toEqual(ref.uint32);
      const uniforms = createRng(ref.seed, ref.stream);
      // Exact: both sides build the double from the same integers with one exact division by 2^53.
      expect(ref.uniform.map(() => uniforms.uniform())).toEqual(ref.uniform);
    }
  });

  it("keeps uniforms strictly inside (0, 1), even for all-zero and all-one words", () => {
    expect(uniformOpen(() => 0)).toBe(2 ** -54);
    expect(uniformOpen(() => 0xffffffff)).toBe(1 - 2 ** -54);
  });

  it("gives different streams for different streams of one seed", () => {
    expect(createRng(7, 1).uint32()).not.toBe(createRng(7, 2).uint32());
  });

  it("rejects seeds and streams outside 32 bits, and the all-zero state", () => {
    expect(() => createRng(-1, 0)).toThrow(/seed must be an integer/);
    expect(() => createRng(2 ** 32, 0)).toThrow(/seed must be an integer/);
    expect(() => createRng(1.5, 0)).toThrow(/seed must be an integer/);
    expect(() => createRng(1, -2)).toThrow(/stream must be an integer/);
    expect(() => xoshiro128ss([0, 0, 0, 0])).toThrow(/all-zero/);
  });
});

describe("sample-data/random: samplers", () => {
  it("logGamma matches scipy.special.gammaln within 1e-14 relative (absolute near the zeros at 1 and 2)", () => {
    for (const { x, value } of reference.logGamma) {
      expect(Math.abs(logGamma(x) - value)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(value)));
    }
    expect(() => logGamma(0)).toThrow(RangeError);
  });

  // Goodness of fit: 20,000 draws binned as in random_reference.py, against scipy's probabilities; the statistic must
  // stay below the chi-square quantile with upper tail 1e-6 (a correct sampler fails once in a million seeds).
  const N = 20_000;

  it.each(reference.poisson)("Poisson($lambda) frequencies fit the pmf and the mean is lambda", (ref) => {
    // 100,000 draws: the mean's standard error sqrt(lambda / n) is small enough (0.0055 at lambda 3, 0.017 at 30) that
    // a sampler biased by a few hundredths fails the 5-SE bound.
    const n = 100_000;
    const rng = createRng(101, Math.round(ref.lambda));
    const sample = draws(n, () => poisson(rng, ref.lambda));
    expect(chiSquare(binCounts(sample, ref.lo, ref.hi), ref.probs, n)).toBeLessThan(critical(ref.probs.length - 1));
    expect(Math.abs(mean(sample) - ref.lambda)).toBeLessThan(5 * Math.sqrt(ref.lambda / n));
  });

  it("Poisson(100000) has mean and variance 100000 (mean within 5 standard errors, variance within 5%)", () => {
    const rng = createRng(102, 0);
    const sample = draws(N, () => poisson(rng, 1e5));
    // SE of the mean sqrt(1e5 / 2e4) = 2.24; SE of the variance ~ 1e5 sqrt(2 / 2e4) = 1%.
    expect(Math.abs(mean(sample) - 1e5)).toBeLessThan(5 * Math.sqrt(1e5 / N));
    expect(Math.abs(variance(sample) / 1e5 - 1)).toBeLessThan(0.05);
  });

  it("Poisson handles lambda 0 and rejects a negative or non-finite lambda", () => {
    expect(poisson(createRng(1, 0), 0)).toBe(0);
    expect(() => poisson(createRng(1, 0), -1)).toThrow(RangeError);
    expect(() => poisson(createRng(1, 0), Number.NaN)).toThrow(RangeError);
  });

  it.each(reference.binomial)("Binomial($n, $p) frequencies fit the pmf (chi-square, 1e-6 level)", (ref) => {
    const rng = createRng(103, ref.n);
    const sample = draws(N, () => binomial(rng, ref.n, ref.p));
    expect(chiSquare(binCounts(sample, ref.lo, ref.hi), ref.probs, N)).toBeLessThan(critical(ref.probs.length - 1));
  });

  it("Binomial(150000, 0.011) has mean n p within 5 standard errors", () => {
    const rng = createRng(104, 0);
    const sample = draws(2_000, () => binomial(rng, 150_000, 0.011));
    const sd = Math.sqrt(150_000 * 0.011 * 0.989);
    expect(Math.abs(mean(sample) - 1650)).toBeLessThan((5 * sd) / Math.sqrt(2_000));
  });

  it("Binomial handles n = 0, p = 0 and p = 1 exactly and rejects bad parameters", () => {
    const rng = createRng(1, 0);
    expect(binomial(rng, 0, 0.3)).toBe(0);
    expect(binomial(rng, 50, 0)).toBe(0);
    expect(binomial(rng, 50, 1)).toBe(50);
    expect(() => binomial(rng, 2.5, 0.1)).toThrow(RangeError);
    expect(() => binomial(rng, 10, 1.1)).toThrow(RangeError);
  });

  it("normal deviates fall in the ten deciles of N(0, 1) equally often (chi-square, 1e-6 level)", () => {
    const rng = createRng(105, 0);
    const cuts = reference.normalDeciles;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < N; i++) {
      const z = normal(rng);
      let bin = 0;
      while (bin < cuts.length && z > cuts[bin]!) bin++;
      counts[bin]!++;
    }
    expect(chiSquare(counts, new Array<number>(10).fill(0.1), N)).toBeLessThan(critical(9));
  });

  it("lognormal with mu = lognormalMu(80, 0.5) has mean 80 (within 5 standard errors)", () => {
    expect(lognormalMu(80, 0.5)).toBeCloseTo(Math.log(80) - 0.125, 14);
    const rng = createRng(106, 0);
    const sample = draws(N, () => lognormal(rng, lognormalMu(80, 0.5), 0.5));
    // sd = 80 sqrt(exp(0.25) - 1) = 42.6, SE = 0.30.
    expect(Math.abs(mean(sample) - 80)).toBeLessThan((5 * 80 * Math.sqrt(Math.expm1(0.25))) / Math.sqrt(N));
  });
});

describe("sample-data/model: the shared market shock", () => {
  // 200 seeds x 180 days of the AR(1): the log factor has sd 0.15 and lag-1 autocorrelation 0.6; Z has mean 1.
  const paths = Array.from({ length: 200 }, (_, s) => marketShock(1000 + s));

  it("has mean 1, log-sd 0.15 and lag-1 autocorrelation 0.6 on the log scale", () => {
    const z = paths.flat();
    const logs = paths.map((p) => p.map((f) => Math.log(f) + SHOCK.logSd ** 2 / 2));
    const flatLogs = logs.flat();
    // Effective sample ~ 36,000 (1 - 0.6) / (1 + 0.6) = 9,000 days: SE(mean Z) ~ 0.0016, SE(log-sd) ~ 0.0011.
    expect(Math.abs(mean(z) - 1)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(variance(flatLogs)) - SHOCK.logSd)).toBeLessThan(0.006);
    const lagged = logs.flatMap((p) => p.slice(1));
    const leading = logs.flatMap((p) => p.slice(0, -1));
    // SE of a lag-1 correlation over ~36,000 pairs ~ 0.005.
    expect(Math.abs(pearson(leading, lagged) - SHOCK.phi)).toBeLessThan(0.025);
  });

  it("makes the daily surprises of the larger campaigns co-move as documented (averaged over 40 seeds)", () => {
    const runs = Array.from({ length: 40 }, (_, s) => surpriseCorrelations(simulate(2000 + s).rows));
    const first = runs[0]!;
    for (let i = 0; i < first.length; i++) {
      const pair = first[i]!;
      const realised = mean(runs.map((r) => r[i]!.realised));
      // One run's correlation has sd ~0.08 over 180 days; the mean of 40 has ~0.013; 0.05 is ~4 of those.
      expect(Math.abs(realised - pair.expected), `${pair.a} / ${pair.b}`).toBeLessThan(0.05);
    }
    const big = first.filter((p) => p.expected >= 0.09).map((p) => p.expected);
    // Brand / Generic, Brand / Shopping, Generic / Shopping, Shopping / Display sit in the documented 0.1-0.3 band.
    expect(big.length).toBe(4);
    for (const e of big) expect(e).toBeGreaterThan(0.09);
    for (const e of big) expect(e).toBeLessThan(0.3);
  });

  it("computes the expected correlation from the closed form m_i m_j v / sqrt(V_i V_j)", () => {
    const v = Math.expm1(0.15 ** 2);
    expect(shockVariance()).toBeCloseTo(v, 15);
    const vi = 28 * (1 - 0.016 * (1 + v)) + 28 * 28 * v;
    const vj = 7 * (1 - 0.06 * (1 + v)) + 49 * v;
    expect(expectedSurpriseCorrelation(28, 0.016, 7, 0.06)).toBeCloseTo((28 * 7 * v) / Math.sqrt(vi * vj), 14);
    expect(expectedSurpriseCorrelation(0, 0.016, 7, 0.06)).toBe(0);
  });
});

describe("sample-data/render: number and date formatting", () => {
  it("prints cents exactly and groups thousands as Google does", () => {
    expect(centsToDecimal(123456)).toBe("1234.56");
    expect(centsToDecimal(5)).toBe("0.05");
    expect(centsToDecimal(-5)).toBe("-0.05");
    expect(() => centsToDecimal(1.5)).toThrow(RangeError);
    expect(groupThousands("1234567.89")).toBe("1,234,567.89");
    expect(groupThousands("999")).toBe("999");
    expect(groupThousands("-1000")).toBe("-1,000");
    expect(csvField("1,234")).toBe('"1,234"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("Brand Search")).toBe("Brand Search");
    expect(longDateEnGb("2026-03-02")).toBe("2 March 2026");
    expect(longDateEnGb("2026-08-28")).toBe("28 August 2026");
  });
});

interface DailyRecord {
  date: string;
  campaign: string;
  impressions: number;
  clicks: number;
  conversions: number;
  spend: string;
  revenue: string;
}

/** "1,234.56" -> 123456 cents, exactly (no float on the way). */
function cents(text: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text.replace(/,/g, ""));
  if (!match) throw new Error(`not a two-decimal amount: ${text}`);
  return (match[1] ? -1 : 1) * (Number(match[2]) * 100 + Number(match[3]));
}

const count = (text: string) => Number(text.replace(/,/g, ""));

function parseCsv(text: string): string[][] {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

describe("sample-data: the committed files", () => {
  let outDir = "";
  let committed: Record<string, string> = {};
  let daily: DailyRecord[] = [];
  let truth: Truth;

  beforeAll(() => {
    outDir = mkdtempSync(path.join(os.tmpdir(), "noisefloor-sample-"));
    generate({ seed: DEFAULT_SEED, outDir });
    committed = Object.fromEntries(SAMPLE_FILES.map((f) => [f, readFileSync(path.join(SAMPLE_DIR, f), "utf8")]));
    const [header, ...rows] = parseCsv(committed["campaigns-daily.csv"]!);
    expect(header).toEqual(["date", "campaign", "impressions", "clicks", "conversions", "spend", "revenue"]);
    daily = rows.map(([date = "", campaign = "", impressions = "", clicks = "", conversions = "", spend = "", revenue = ""]) => ({
      date,
      campaign,
      impressions: Number(impressions),
      clicks: Number(clicks),
      conversions: Number(conversions),
      spend,
      revenue,
    }));
    truth = JSON.parse(committed["truth.json"]!) as Truth;
  });

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it.each(SAMPLE_FILES)("regenerating %s with the default seed gives the committed bytes", (file) => {
    const fresh = readFileSync(path.join(outDir, file));
    const kept = readFileSync(path.join(SAMPLE_DIR, file));
    expect(fresh.equals(kept)).toBe(true);
  });

  it("is deterministic in the seed, and another seed gives other data", () => {
    const a = renderSampleFiles(7);
    const b = renderSampleFiles(7);
    expect(a).toEqual(b);
    expect(a["campaigns-daily.csv"]).not.toBe(committed["campaigns-daily.csv"]);
  });

  it("rejects invalid options with a message naming the option", () => {
    expect(() => generate({ seed: -1, outDir })).toThrow(/seed: seed must be at least 0/);
    expect(() => generate({ seed: 2 ** 32, outDir })).toThrow(/seed must fit in 32 bits/);
    expect(() => generate({ seed: 1.5, outDir })).toThrow(/seed must be an integer/);
    expect(() => generate({ seed: 1, outDir: "" })).toThrow(/outDir/);
  });

  it("holds 6 campaigns x 180 consecutive days, 2026-03-02 .. 2026-08-28, in USD", () => {
    expect(daily).toHaveLength(6 * 180);
    const names = [...new Set(daily.map((r) => r.campaign))];
    expect(names).toEqual(CAMPAIGNS.map((c) => c.name));
    for (const name of names) {
      const dates = daily.filter((r) => r.campaign === name).map((r) => r.date);
      expect(dates).toHaveLength(180);
      expect(dates[0]).toBe("2026-03-02");
      expect(dates[179]).toBe("2026-08-28");
      for (let i = 1; i < dates.length; i++) {
        expect(Date.parse(dates[i]!) - Date.parse(dates[i - 1]!)).toBe(86_400_000);
      }
    }
    expect(truth.currency).toBe("USD");
    expect(truth.period).toEqual({ start: "2026-03-02", end: "2026-08-28", days: 180 });
  });

  it("has coherent counts and two-decimal money on every row", () => {
    for (const r of daily) {
      expect(r.clicks).toBeLessThanOrEqual(r.impressions);
      expect(r.conversions).toBeLessThanOrEqual(r.clicks);
      expect(r.spend).toMatch(/^\d+\.\d{2}$/);
      expect(r.revenue).toMatch(/^\d+\.\d{2}$/);
      expect(cents(r.revenue) === 0).toBe(r.conversions === 0);
    }
  });

  it("orders.csv has one row per conversion, summing to each campaign-day's revenue", () => {
    const [header, ...rows] = parseCsv(committed["orders.csv"]!);
    expect(header).toEqual(["date", "campaign", "order_id", "value"]);
    const byDay = new Map<string, { n: number; cents: number }>();
    const ids = new Set<string>();
    rows.forEach(([date, campaign, id = "", value = ""], i) => {
      expect(id).toBe(`SO-${String(i + 1).padStart(6, "0")}`);
      ids.add(id);
      expect(cents(value)).toBeGreaterThan(0);
      const key = `${date}|${campaign}`;
      const acc = byDay.get(key) ?? { n: 0, cents: 0 };
      acc.n++;
      acc.cents += cents(value);
      byDay.set(key, acc);
    });
    expect(ids.size).toBe(rows.length);
    expect(rows.length).toBe(daily.reduce((a, r) => a + r.conversions, 0));
    for (const r of daily) {
      const acc = byDay.get(`${r.date}|${r.campaign}`) ?? { n: 0, cents: 0 };
      expect(acc.n).toBe(r.conversions);
      expect(acc.cents).toBe(cents(r.revenue));
    }
    // A few thousand rows keeps the file small.
    expect(rows.length).toBeGreaterThan(2_000);
    expect(rows.length).toBeLessThan(10_000);
  });

  it("the Google Ads report carries the same data with Google's preamble, formats and totals rows", () => {
    const text = committed["google-ads-campaign-report.csv"]!;
    const lines = text.split("\n");
    expect(lines[0]).toBe("Campaign report");
    expect(lines[1]).toBe("2 March 2026 - 28 August 2026");
    const [header, ...rows] = parseCsv(lines.slice(2).join("\n"));
    expect(header).toEqual([
      "Day",
      "Campaign",
      "Campaign status",
      "Currency code",
      "Impr.",
      "Clicks",
      "CTR",
      "Avg. CPC",
      "Cost",
      "Conversions",
      "Conv. value",
      "Conv. rate",
    ]);
    expect(rows).toHaveLength(daily.length + 2);
    // Thousands are quoted, as Google writes them.
    expect(text).toMatch(/,"\d{1,3},\d{3}",/);
    daily.forEach((d, i) => {
      const [day, campaign, status, currency, impr = "", clicks = "", ctr, cpc, cost = "", conv = "", value = "", rate] = rows[i]!;
      expect([day, campaign, status, currency]).toEqual([d.date, d.campaign, "Enabled", "USD"]);
      expect(count(impr)).toBe(d.impressions);
      expect(count(clicks)).toBe(d.clicks);
      expect(ctr).toBe(`${((100 * d.clicks) / d.impressions).toFixed(2)}%`);
      expect(cpc).toBe((cents(d.spend) / 100 / d.clicks).toFixed(2));
      expect(cost).toBe(d.spend);
      expect(conv).toBe(groupThousands(`${d.conversions}.00`));
      expect(cents(value)).toBe(cents(d.revenue));
      expect(rate).toBe(`${((100 * d.conversions) / d.clicks).toFixed(2)}%`);
    });
    const sum = (f: (r: DailyRecord) => number) => daily.reduce((a, r) => a + f(r), 0);
    const totals = {
      impressions: sum((r) => r.impressions),
      clicks: sum((r) => r.clicks),
      conversions: sum((r) => r.conversions),
      spend: sum((r) => cents(r.spend)),
      revenue: sum((r) => cents(r.revenue)),
    };
    const [campaignsTotal, accountTotal] = rows.slice(-2);
    expect(campaignsTotal!.slice(0, 4)).toEqual(["Total: Campaigns", " --", " --", "USD"]);
    expect(accountTotal!.slice(0, 4)).toEqual(["Total: Account", "", "", "USD"]);
    for (const total of [campaignsTotal!, accountTotal!]) {
      expect(count(total[4]!)).toBe(totals.impressions);
      expect(count(total[5]!)).toBe(totals.clicks);
      expect(total[6]).toBe(`${((100 * totals.clicks) / totals.impressions).toFixed(2)}%`);
      expect(total[7]).toBe((totals.spend / 100 / totals.clicks).toFixed(2));
      expect(cents(total[8]!)).toBe(totals.spend);
      expect(total[8]).not.toContain(",");
      expect(count(total[9]!)).toBe(totals.conversions);
      expect(cents(total[10]!)).toBe(totals.revenue);
      expect(total[11]).toBe(`${((100 * totals.conversions) / totals.clicks).toFixed(2)}%`);
    }
  });

  it("the Meta Ads export carries the same data under Meta's quoted headers", () => {
    const text = committed["meta-ads-export.csv"]!;
    expect(text.split("\n")[0]).toBe(
      '"Reporting starts","Reporting ends","Campaign name","Amount spent (USD)","Impressions","Link clicks","Purchases",' +
        '"Purchases conversion value","Cost per purchase","CTR (link click-through rate)"',
    );
    const [, ...rows] = parseCsv(text);
    expect(rows).toHaveLength(daily.length);
    daily.forEach((d, i) => {
      const [start, end, campaign, spent, impressions, clicks, purchases, value, costPer, ctr = ""] = rows[i]!;
      expect([start, end, campaign, spent, value]).toEqual([d.date, d.date, d.campaign, d.spend, d.revenue]);
      expect([Number(impressions), Number(clicks), Number(purchases)]).toEqual([d.impressions, d.clicks, d.conversions]);
      expect(costPer).toBe(d.conversions > 0 ? (cents(d.spend) / 100 / d.conversions).toFixed(2) : "");
      // CTR as a percentage number rounded to 6 decimals: within 5e-7 of the exact ratio.
      expect(Math.abs(Number(ctr) - (100 * d.clicks) / d.impressions)).toBeLessThanOrEqual(5e-7 + 1e-12);
    });
  });

  it("ranges from about one sale a week to about thirty sales a day", () => {
    const perDay = CAMPAIGNS.map((c) => daily.filter((r) => r.campaign === c.name).reduce((a, r) => a + r.conversions, 0) / DAYS);
    const lowest = Math.min(...perDay);
    const highest = Math.max(...perDay);
    expect(lowest).toBeGreaterThan(0.5 / 7);
    expect(lowest).toBeLessThan(2 / 7);
    expect(highest).toBeGreaterThan(20);
    expect(highest).toBeLessThan(40);
  });

  it("spans the documented parameter ranges: CPC $0.30-$3, conversion rate 0.3%-6%, order value means $40-$250", () => {
    expect(truth.campaigns).toHaveLength(6);
    const within = (xs: number[], lo: number, hi: number, spread: number) => {
      for (const x of xs) {
        expect(x).toBeGreaterThanOrEqual(lo);
        expect(x).toBeLessThanOrEqual(hi);
      }
      // The extremes come close to both ends of the range.
      expect(Math.max(...xs) / Math.min(...xs)).toBeGreaterThan(spread);
    };
    within(truth.campaigns.map((c) => c.cpc), 0.3, 3, 8);
    within(truth.campaigns.map((c) => c.conversionRate), 0.003, 0.06, 15);
    within(truth.campaigns.map((c) => c.orderValue.mean), 40, 250, 5);
  });

  it("shows a weekly pattern: search quieter at the weekend, shopping busier", () => {
    const weekendRatio = (name: string) => {
      const rows = daily.filter((r) => r.campaign === name);
      const weekend = rows.filter((_, t) => weekdayOf(t) >= 5).map((r) => r.clicks);
      const weekdays = rows.filter((_, t) => weekdayOf(t) < 5).map((r) => r.clicks);
      return mean(weekend) / mean(weekdays);
    };
    // True ratios: search (0.86 + 0.94) / 2 / 1.04 = 0.865; shopping 1.085 / 0.966 = 1.12. Day noise ~8% / sqrt(50).
    expect(weekendRatio("Brand Search")).toBeLessThan(0.93);
    expect(weekendRatio("Shopping - All Products")).toBeGreaterThan(1.06);
  });

  describe("recovers each campaign's true parameters from the daily and order files", () => {
    const rowsOf = (name: string) => daily.filter((r) => r.campaign === name);
    const orderValues = (name: string) =>
      parseCsv(committed["orders.csv"]!)
        .slice(1)
        .filter((r) => r[1] === name)
        .map((r) => cents(r[3]!) / 100);

    it.each(CAMPAIGNS.map((c) => [c.name, c] as const))("%s", (name, c) => {
      const rows = rowsOf(name);
      const t = truth.campaigns.find((x) => x.name === name)!;
      const impressions = rows.reduce((a, r) => a + r.impressions, 0);
      const clicks = rows.reduce((a, r) => a + r.clicks, 0);
      const conversions = rows.reduce((a, r) => a + r.conversions, 0);
      const spend = rows.reduce((a, r) => a + cents(r.spend), 0) / 100;

      // CTR: binomial standard error sqrt(ctr (1 - ctr) / impressions); 5 SE.
      expect(Math.abs(clicks / impressions - c.ctr)).toBeLessThan(5 * Math.sqrt((c.ctr * (1 - c.ctr)) / impressions));
      // CPC: 6% daily noise averaged over 180 days -> SE ~0.45%; 2.5% is over 5 SE.
      expect(Math.abs(spend / clicks / c.cpc - 1)).toBeLessThan(0.025);
      // Conversions: Var = E[N] + m^2 T v (1 + phi) / (1 - phi) with the persistent shock (m per day, T days); 4 sd.
      const m = t.expected.conversionsPerDay;
      const v = truth.shock.factorVariance;
      const sd = Math.sqrt(t.expected.conversions + m * m * DAYS * v * ((1 + SHOCK.phi) / (1 - SHOCK.phi)));
      expect(Math.abs(conversions - t.expected.conversions)).toBeLessThan(4 * sd);
      // Clicks: Poisson plus 8% pacing noise per day, sd ~ sqrt(E + sum_t (K w_t)^2 (e^0.0064 - 1)); the weekday and
      // trend spread make sum_t (K w_t)^2 under 1.1 T K^2 (E[w^2] ~ 1.005 here). 4 sd.
      const clickSd = Math.sqrt(t.expected.clicks + DAYS * t.clicksPerDay ** 2 * Math.expm1(0.08 ** 2) * 1.1);
      expect(Math.abs(clicks - t.expected.clicks)).toBeLessThan(4 * clickSd);

      // Order values: log-mean within 4 SE (sigma / sqrt(n)) of mu, log-sd within 4 SE (sigma / sqrt(2n)) of sigma.
      const values = orderValues(name);
      expect(values.length).toBe(conversions);
      if (values.length >= 20) {
        const logs = values.map(Math.log);
        const se = c.orderValueSigma / Math.sqrt(values.length);
        expect(Math.abs(mean(logs) - lognormalMu(c.orderValueMean, c.orderValueSigma))).toBeLessThan(4 * se);
        expect(Math.abs(Math.sqrt(variance(logs)) - c.orderValueSigma)).toBeLessThan((4 * c.orderValueSigma) / Math.sqrt(2 * values.length));
      }
    });
  });

  it("truth.json agrees with the model constants and the simulation", () => {
    const sim = simulate(DEFAULT_SEED);
    expect(truth.seed).toBe(DEFAULT_SEED);
    expect(truth.shock.phi).toBe(SHOCK.phi);
    expect(truth.shock.logSd).toBe(SHOCK.logSd);
    expect(truth.shock.factors).toHaveLength(DAYS);
    truth.shock.factors.forEach((f, i) => expect(Math.abs(f - sim.shock[i]!)).toBeLessThanOrEqual(5e-7));
    truth.campaigns.forEach((t, i) => {
      const rows: DayRow[] = sim.rows[i]!;
      expect(t.realised.conversions).toBe(rows.reduce((a, r) => a + r.conversions, 0));
      expect(t.conversionRate).toBe(CAMPAIGNS[i]!.conversionRate);
    });
  });
});
