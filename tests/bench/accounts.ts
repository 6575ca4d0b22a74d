/**
 * Campaign-count rows of `npm run bench:engine`: the whole analysis of generated generic accounts (10 / 100 / 1,000
 * campaigns x 365 days, seeded), in-process (computeAnalysis without the cache, median of 3 after one warm-up run)
 * beside the whole process `npm run -s cli -- analyze <id> --json` (median of 3: npm, node start, the CLI's bundle,
 * database open, analysis, JSON out). Run alone: `npx tsx --conditions=react-server tests/bench/accounts.ts [10,100]`.
 * Targets (in-process): 100 x 365 under 0.5 s, 300 campaigns under 2 s, 1,000 x 365 under 5 s.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@/db/client";
import { computeAnalysis } from "@/lib/analysis/dataset";
import { insertAccount, type CampaignSpec } from "@/tests/support/accounts";
import { seededRandom } from "@/lib/engine/estimate/rng";

export interface AccountRow {
  campaigns: number;
  days: number;
  inProcessMs: number;
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

export function benchAccounts(sizes: readonly number[] = [10, 100, 1000], days = 365, runs = 3): AccountRow[] {
  const out: AccountRow[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "noisefloor-bench-accounts-"));
    const dbPath = join(dir, "a.db");
    try {
      const db = openDatabase(dbPath);
      const id = insertAccount(db, { seed: n, days, campaigns: genericCampaigns(n) });
      computeAnalysis(db, id, { horizon: "week" }); // warm-up (JIT)
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        computeAnalysis(db, id, { horizon: "week" });
        times.push(performance.now() - t);
      }
      db.$client.close();
      const cli: number[] = [];
      for (let i = 0; i < runs; i++) {
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
      out.push({ campaigns: n, days, inProcessMs: median(times), cliMs: median(cli), phases: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

export function printAccountRows(rows: AccountRow[]): void {
  console.log("\nwhole analysis of generated generic accounts (week horizon; median of 3)");
  console.log("account".padEnd(34) + "in-process ms".padStart(15) + "CLI ms".padStart(10) + "target".padStart(10));
  for (const r of rows) {
    const target = r.campaigns <= 100 ? 500 : r.campaigns <= 300 ? 2000 : 5000;
    const met = r.inProcessMs < target ? "met" : "MISSED";
    console.log(
      `${r.campaigns} campaigns x ${r.days} days`.padEnd(34) +
        r.inProcessMs.toFixed(0).padStart(15) +
        r.cliMs.toFixed(0).padStart(10) +
        `${met} <${target}`.padStart(10),
    );
  }
}

if (process.argv[1]?.endsWith("accounts.ts")) {
  const sizes = (process.argv[2] ?? "10,100,300,1000").split(",").map(Number);
  printAccountRows(benchAccounts(sizes));
}
