/**
 * Campaign-count rows of `npm run bench:engine`: the whole analysis of generated generic accounts (10 / 100 / 1,000
 * campaigns x 365 days, seeded), in-process (computeAnalysis without the cache, week horizon: the first, cold run,
 * then the median of 11 runs after 3 warm-up runs, 5 after 1 for 1,000 campaigns: the steady state of the server's
 * long-lived analysis worker; CPU time from process.cpuUsage beside wall time) and the whole process `npm run -s cli --
 * analyze <id> --json` (median wall time of 3: npm, node start, the CLI's bundle, database open, analysis, JSON
 * out), each against its target. The load average is printed with the figures: the machine is shared, and wall
 * times rise with it where CPU times barely move. Run alone: `npx tsx --conditions=react-server
 * tests/bench/accounts.ts [10,100]`.
 * Targets (in-process CPU): 1,000 x 365 under 5 s on one core; 100 x 365 under 0.5 s; 10 x 365 under 50 ms (the
 * 1,000-campaign rate, 5 ms a campaign).
 *
 * Where the time goes (node --cpu-prof of computeAnalysis, 1,000 x 365, before the per-campaign read): the outcome
 * distributions 52% (pooledShare's FFT of each campaign's revenue lattice: fft.js transforms, the frequencies'
 * applyPgf, the LatticeDistribution's cumulative sums, engine/aggregate.ts and pool.ts), the estimation 25% (the
 * drift filter 15%: binomialStep's log-gammas; calibration, shrinkage, correlation under 2% each), reading the
 * observations 16% (365,000 row objects; now read per campaign as arrays: a third of that), the garbage collector
 * 15% across all of these (large typed arrays per campaign), campaignAsCoin 3%. At 100 campaigns the shares are the
 * same within a few points; the time is linear in campaigns (no pairwise step). The sample (6 campaigns, 40 ms CPU
 * warm): outcome distributions 38%, estimation 39%, the ORM's mapping of the order list 14% (now raw).
 * Profiled again at 1,000 x 365 (load ~1): the outcome distributions 2.1 s (FFTs 0.46 s, the excess transform 0.62
 * s, then 2 trigonometric calls a point instead of 4), the drift filter 1.3 s (log-gammas), reading the rows 0.42 s,
 * and 0.48 s spent on the "By source" figures only because the generated account had no upload row (a real import
 * always has one, and then a one-source dataset takes them from the rows already read): the account now has one.
 * Then the garbage collector (0.7 s a run, 430 scavenges of the young generation): a sampling heap profile counted
 * 3.3 GB allocated per run, most of it doubles boxed on their way into and out of calls in the hottest loops (the
 * drift filter's rising factorials 1.3 GB, the excess transform's log-pgf 0.4 GB, the count laws' pmf ratio 0.2 GB);
 * with those loops over typed arrays, 1.6 GB and a median of 4.95 s against 5.60 s (12 runs each, alternating).
 * The first analysis of a process also learnt the lag curve from every row of a one-upload dataset (1.3 s): skipped.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@/db/client";
import { computeAnalysis } from "@/lib/analysis/dataset";
import { insertAccount, type CampaignSpec } from "@/tests/support/accounts";
import { seededRandom } from "@/lib/engine/estimate/rng";

export interface AccountRow {
  campaigns: number;
  days: number;
  /** In-process CPU time of the first (cold) run, ms. */
  coldMs: number;
  /** In-process median CPU time (user + system) and wall time, ms. */
  inProcessMs: number;
  inProcessWallMs: number;
  /** Whole-process median wall time of the CLI, ms. */
  cliMs: number;
  /** Figures from a single instrumented run: reading, estimation, per-campaign distributions. */
  phases: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Generic campaigns like a small shop's: 0.1 to 50 sales a day, order values 10 to 500, CPC 0.3 to 3 (seeded). */
export function genericCampaigns(n: number, seed = 7): CampaignSpec[] {
  const u = seededRandom(seed);
  const logU = (lo: number, hi: number) => Math.exp(Math.log(lo) + u() * (Math.log(hi) - Math.log(lo)));
  return Array.from({ length: n }, () => ({ salesPerDay: logU(0.1, 50), orderValue: logU(10, 500), cvr: logU(0.01, 0.1), cpc: logU(0.3, 3) }));
}

/** Runs timed and warm-up runs before them: more for the small accounts, whose runs are short and noisier. */
const runsFor = (campaigns: number): { runs: number; warmUp: number } => (campaigns >= 1000 ? { runs: 5, warmUp: 1 } : { runs: 11, warmUp: 3 });

export function benchAccounts(sizes: readonly number[] = [10, 100, 1000], days = 365, cliRuns = 3): AccountRow[] {
  const out: AccountRow[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "noisefloor-bench-accounts-"));
    const dbPath = join(dir, "a.db");
    try {
      const db = openDatabase(dbPath);
      const id = insertAccount(db, { seed: n, days, campaigns: genericCampaigns(n) });
      const { runs, warmUp } = runsFor(n);
      const c0 = process.cpuUsage();
      computeAnalysis(db, id, { horizon: "week" }); // the cold run (JIT), then warm-up runs
      const cold = process.cpuUsage(c0);
      for (let i = 1; i < warmUp; i++) computeAnalysis(db, id, { horizon: "week" });
      const cpu: number[] = [];
      const wall: number[] = [];
      for (let i = 0; i < runs; i++) {
        const c = process.cpuUsage();
        const t = performance.now();
        computeAnalysis(db, id, { horizon: "week" });
        wall.push(performance.now() - t);
        const u = process.cpuUsage(c);
        cpu.push((u.user + u.system) / 1000);
      }
      db.$client.close();
      const cli: number[] = [];
      for (let i = 0; i < cliRuns; i++) {
        const t = performance.now();
        // the documented command, as a user runs it: npm, the CLI's bundle, the database, the analysis, JSON out
        const r = spawnSync("npm", ["run", "-s", "cli", "--", "analyze", String(id), "--json"], {
          env: { ...process.env, DATABASE_PATH: dbPath, SAMPLE_DATA: "0" },
          encoding: "utf8",
          maxBuffer: 1 << 28,
        });
        cli.push(performance.now() - t);
        if (r.status !== 0) throw new Error(`analyze failed: ${r.stderr}`);
      }
      out.push({ campaigns: n, days, coldMs: (cold.user + cold.system) / 1000, inProcessMs: median(cpu), inProcessWallMs: median(wall), cliMs: median(cli), phases: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** Target of the in-process analysis: 5 s for 1,000 campaigns, 0.5 s for 100, 5 ms a campaign below that. */
function accountTargetMs(campaigns: number): number {
  return campaigns >= 1000 ? 5000 : campaigns >= 100 ? 500 : 5 * campaigns;
}

export function printAccountRows(rows: AccountRow[]): void {
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(
    "\nwhole analysis of generated generic accounts (week horizon; in-process CPU: the cold first run, then the median of " +
      "11 runs after 3 warm-up runs, 5 after 1 for 1,000 campaigns; CLI: median of 3)",
  );
  console.log(`load average ${load}${loadavg()[0]! > 1.5 ? " (high: wall times are inflated, read the CPU column)" : ""}`);
  console.log(
    "account".padEnd(26) +
      "cold ms".padStart(9) +
      "CPU ms".padStart(9) +
      "wall ms".padStart(9) +
      "CLI ms".padStart(9) +
      "target".padStart(9) +
      "ratio".padStart(8) +
      "".padStart(8),
  );
  for (const r of rows) {
    const target = accountTargetMs(r.campaigns);
    const ratio = r.inProcessMs / target;
    console.log(
      `${r.campaigns} campaigns x ${r.days} days`.padEnd(26) +
        r.coldMs.toFixed(0).padStart(9) +
        r.inProcessMs.toFixed(0).padStart(9) +
        r.inProcessWallMs.toFixed(0).padStart(9) +
        r.cliMs.toFixed(0).padStart(9) +
        `<${target}`.padStart(9) +
        `${ratio.toFixed(2)}x`.padStart(8) +
        (ratio < 1 ? "met" : "MISSED").padStart(8),
    );
  }
  console.log("ratio: in-process median CPU time / target; CLI: whole process (npm, node, bundle, database, analysis, JSON)");
}

if (process.argv[1]?.endsWith("accounts.ts")) {
  const sizes = (process.argv[2] ?? "10,100,1000").split(",").map(Number);
  printAccountRows(benchAccounts(sizes));
}
