/**
 * `npm run bench:calibration` (also run at the end of `npm run bench:engine`): the cost of estimateDataset with the
 * calibration on, for 10 / 100 / 1,000 campaigns x 365 days, and the calibration figures of the drifting-rate model.
 *
 * Input: a generic account, seeded (seededRandom(7)): campaign c buys n ~ U[0.7, 1.3] x its typical clicks (30..500)
 * a day, with Poisson(n p) conversions at its rate p in [1%, 6%] and revenue 60 a sale.
 *
 * Where the time went before the drift filter (same inputs, the commit before it; wall time, machine load average
 * 8-11 on 2 cores, so every figure is inflated by sharing):
 *   10 campaigns:    estimateDataset 322 ms; rolling calibration (refit every day, O(days^2)) 371 ms, correlation
 *                    98 ms, in-sample band 62 ms, shrinkage 38 ms.
 *   100 campaigns:   estimateDataset 5.2 s; calibration 2.1 s, correlation 1.9 s (4,950 pairs x 400 bootstrap
 *                    resamples), in-sample band 0.23 s, shrinkage 0.12 s.
 *   1,000 campaigns: stages before the correlation 3.2 s (in-sample band 2.1 s); the pairwise correlation
 *                    (499,500 pairs) did not finish within 590 s, so neither did estimateDataset.
 * After: one filtering pass per campaign (36 grid points: discounts x day shocks) gives the calibration, the band,
 * the verdict's state and the forecast's; the correlation is O(campaigns x days). First run of this file (load
 * average 13.5 on 2 cores; wall / CPU):
 *   10 campaigns 388 / 111 ms; 100 campaigns 1,875 / 482 ms (target 150 ms wall: missed); 1,000 campaigns
 *   32.4 / 6.2 s (target 1.5 s wall: missed).
 *   Stages at 1,000 (CPU): drift filter + calibration + band 4.5 s (the filter alone ~1.0 us per campaign-day:
 *   36 grid points x 6 log-gamma calls; the rest is tabulating each day's predictive and the per-day DTO objects),
 *   correlation 0.5 s (residuals included; the estimator itself is O(campaigns x days)), rate model 0.24 s,
 *   shrinkage 0.19 s, order values 0.08 s.
 * Then, with results unchanged (every number of estimateDataset on 60 synthetic + 4 random-walk + 1 view-through
 * campaign equal to the previous code's within relative 5e-16): the grid's inner loop written out on typed arrays,
 * each day's law scored in a shared scratch table, per-day rows and bands kept in a typed table and built as objects
 * only when read, risingLog without its chain of dependent multiplications. CPU ms, median, both versions run
 * alternately in one process (load average 3-4 on 2 cores):
 *   10 campaigns 87 -> 81 (noise at this size); 100 campaigns 689 -> 526 (0.76); 1,000 campaigns 4,363 -> 3,524
 *   (0.81). This file's own run after the change (load 5.4): 102 / 358 / 3,339 ms CPU at 10 / 100 / 1,000.
 *   Targets (100 campaigns 150 ms, 1,000 campaigns 1.5 s) still missed, by ~2.4x.
 *   Where the time goes now at 1,000 (profile): the filter's scoring ~1.1 s CPU: 36 grid points x 365 days x 1,000
 *   campaigns = 13.1 million beta-binomial log scores, five logarithms each (four log-gammas and one log rising
 *   factorial), ~80 ns a score on this machine, of which Math.log is ~10 ns a call; tabulating and scoring each day's
 *   predictive ~0.4 s (~60 counts a day walked by the pmf ratio, then one pass for quantiles, PIT and RPS); garbage
 *   collection ~0.5 s (scavenges copying the retained rows, zod's and normaliseRows' copies of the input, residual
 *   maps); validation, shrinkage, Beta quantiles, correlation ~0.1 s each.
 *   Tried and dropped: pruning grid points behind by 30 nats on both the total and the recent score after 30 days
 *   kept 99% of grid-point-days live (the recent score, a ~10-day window, keeps points close) and still changed the
 *   chosen point on 34 of 87,840 days; a bit-level logarithm in JS was 3x slower than Math.log.
 * The per-stage split below is printed by this file (CPU time beside wall time, since the machine is shared); the
 * "drift filter + calibration + band" stage builds no band objects (they are built when read).
 *
 * Every timing is the median of 5 runs after one warm-up run (1,000 campaigns: 3 runs after none, each takes
 * seconds).
 */
import fs from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import {
  dailyResiduals,
  driftCalibration,
  estimateDataset,
  estimateSeverity,
  normaliseRows,
  rateModel,
  seededRandom,
  shrinkRates,
  surpriseCorrelation,
} from "@/lib/engine/estimate";
import type { CampaignInput, CalibrationResult, DayRow } from "@/lib/engine/estimate";
import { REAL_CAMPAIGN, readRealCampaignDays } from "@/tests/support/real-campaign";
import { binomial, normal, simulateDays } from "@/tests/unit/estimate/simulate";

const REAL = REAL_CAMPAIGN;
const readReal = () => readRealCampaignDays();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median wall and CPU (user + system) milliseconds of `runs` calls after `warmup` calls. */
function timeIt(fn: () => unknown, runs: number, warmup: number): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const u = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(u);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** The generic account described at the top. */
export function syntheticAccount(campaigns: number, days: number, seed = 7): CampaignInput[] {
  const u = seededRandom(seed);
  const out: CampaignInput[] = [];
  for (let c = 0; c < campaigns; c++) {
    const typical = 30 + Math.floor(u() * 470);
    const p = 0.01 + u() * 0.05;
    const rows: DayRow[] = [];
    for (let t = 0; t < days; t++) {
      const n = Math.round(typical * (0.7 + 0.6 * u()));
      // Poisson(n p) by inversion (n p < 30 here).
      const lambda = n * p;
      const v = u();
      let k = 0;
      let pk = Math.exp(-lambda);
      let F = pk;
      while (v > F && k < 10_000) {
        k++;
        pk *= lambda / k;
        F += pk;
      }
      const date = new Date(Date.UTC(2025, 0, 1 + t)).toISOString().slice(0, 10);
      rows.push({ date, impressions: n * 40, clicks: n, conversions: k, spend: n * 0.8, revenue: k * 60 });
    }
    out.push({ campaign: `campaign ${c}`, days: rows });
  }
  return out;
}


const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? "-" : x.toFixed(d));
const pad = (s: string | number, n: number) => String(s).padStart(n);

export function runCalibrationBench(): void {
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`\ncalibration bench: node ${process.version}, ${cpus().length} cores, load average ${load} (wall times rise with it)`);

  console.log("\nestimateDataset, calibration on, 365 days per campaign (median of runs; ms)");
  console.log("campaigns".padEnd(12) + pad("wall", 10) + pad("cpu", 10) + pad("target", 10) + pad("wall/target", 13));
  const targets: Record<number, number | null> = { 10: null, 100: 150, 1000: 1500 };
  for (const C of [10, 100, 1000]) {
    const data = syntheticAccount(C, 365);
    const t = C >= 1000 ? timeIt(() => estimateDataset(data), 3, 0) : timeIt(() => estimateDataset(data), 5, 1);
    const target = targets[C] ?? null;
    console.log(`${String(C).padEnd(12)}${pad(f(t.wall, 0), 10)}${pad(f(t.cpu, 0), 10)}${pad(target ?? "-", 10)}${pad(target ? f(t.wall / target, 2) : "-", 13)}`);
  }

  console.log("\nstages at 1,000 campaigns x 365 days (one run each; ms)");
  const data = syntheticAccount(1000, 365);
  const rows = data.map((c) => normaliseRows(c.days).rows);
  const stage = (label: string, fn: () => unknown) => {
    const t = timeIt(fn, 1, 0);
    console.log(`  ${label.padEnd(44)}wall ${pad(f(t.wall, 0), 6)}  cpu ${pad(f(t.cpu, 0), 6)}`);
  };
  const units = rows.map((r) => r.map((d) => ({ n: d.clicks, y: d.conversions })));
  stage("rate model + dispersion test", () => units.map((u) => rateModel(u)));
  stage("order values (severity)", () => rows.map((r) => estimateSeverity(r)));
  stage("drift filter + calibration + band", () => rows.forEach((r) => driftCalibration(r)));
  stage("shrinkage prior (beta-binomial ML)", () =>
    shrinkRates(data.map((c) => ({ campaign: c.campaign, successes: c.days.reduce((s, d) => s + d.conversions, 0), trials: c.days.reduce((s, d) => s + d.clicks, 0) }))),
  );
  const models = units.map((u) => rateModel(u));
  stage("correlation of surprises (incl. residuals)", () =>
    surpriseCorrelation(data.map((c, i) => ({ campaign: c.campaign, days: rows[i] as DayRow[], residuals: dailyResiduals(rows[i] as DayRow[], models[i]) }))),
  );

  console.log("\ncalibration: one-step-ahead bands (coverage = days inside the drawn band; PIT = proper coverage)");
  console.log(
    "case".padEnd(34) +
      pad("days", 6) +
      pad("cov50", 7) +
      pad("cov80", 7) +
      pad("cov90", 7) +
      pad("PIT90", 7) +
      pad("fixed cov90", 12) +
      pad("width90", 9) +
      pad("fixed w90", 10) +
      pad("ratio", 7) +
      "  model",
  );
  const show = (label: string, days: DayRow[]) => {
    const c: CalibrationResult = driftCalibration(days).calibration;
    const fixed = driftCalibration(days, { discounts: [1], shocks: [0] }).calibration;
    console.log(
      label.padEnd(34) +
        pad(c.days, 6) +
        pad(f(c.coverage50, 2), 7) +
        pad(f(c.coverage80, 2), 7) +
        pad(f(c.coverage90, 2), 7) +
        pad(f(c.pitCoverage90, 2), 7) +
        pad(f(fixed.coverage90, 2), 12) +
        pad(f(c.meanWidth90, 1), 9) +
        pad(f(fixed.meanWidth90, 1), 10) +
        pad(c.meanWidth90 && fixed.meanWidth90 ? f(c.meanWidth90 / fixed.meanWidth90, 2) : "-", 7) +
        `  delta ${c.model.delta}, s2 ${c.model.s2}`,
    );
  };
  if (fs.existsSync(REAL)) show("real campaign (../shared, 91 days)", readReal());
  else console.log("real campaign: ../shared/data/ads/real_daily_one_campaign.csv absent, skipped");
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(seed);
    show(`fixed 3%, 200-400 clicks, seed ${seed}`, simulateDays(random, 365, 200, 400, (n) => binomial(random, n, 0.03)));
  }
  for (const seed of [101, 102, 103]) {
    const random = seededRandom(seed);
    let x = Math.log(0.03 / 0.97);
    show(
      `logit walk sd 0.08, seed ${seed}`,
      simulateDays(random, 365, 200, 400, (n) => {
        x += 0.08 * normal(random);
        return binomial(random, n, 1 / (1 + Math.exp(-x)));
      }),
    );
  }
}

if (require.main === module) runCalibrationBench();
