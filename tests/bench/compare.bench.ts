/**
 * `compare` and `ab` in-process on a generated account of 100 campaigns x 365 days (tests/bench/accounts.ts's
 * generic campaigns, seeded): for every campaign, compareChange with the change on day 300 and compareArms against
 * the next campaign, each timed once (wall and CPU time, process.cpuUsage) after a warm-up pass (the services read the campaign rows from the database on
 * every call, as the API and the CLI do). Prints the medians and p95s against the 100 ms target, with
 * the load average (the machine is shared: wall times rise with it). Run alone:
 * `npx tsx --conditions=react-server tests/bench/compare.bench.ts`; part of `npm run bench:engine`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@/db/client";
import { compareArms, compareChange } from "@/lib/analysis/compare";
import { insertAccount } from "@/tests/support/accounts";
import { genericCampaigns } from "./accounts";

const TARGET_MS = 100;

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number;
}

export function runCompareBench(campaigns = 100, days = 365): void {
  const dir = mkdtempSync(join(tmpdir(), "noisefloor-compare-bench-"));
  try {
    const db = openDatabase(join(dir, "bench.db"));
    const id = insertAccount(db, { seed: 11, days, campaigns: genericCampaigns(campaigns) });
    const names = Array.from({ length: campaigns }, (_, i) => `Campaign ${String(i + 1).padStart(3, "0")}`);
    const change = new Date(Date.UTC(2025, 0, 1) + 300 * 86_400_000).toISOString().slice(0, 10);
    const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
    const run = (record: boolean) => {
      const c: number[] = [];
      const ab: number[] = [];
      const cCpu: number[] = [];
      const abCpu: number[] = [];
      names.forEach((name, i) => {
        let t = performance.now();
        let u = process.cpuUsage();
        compareChange(db, id, { campaign: name, changeDate: change });
        if (record) {
          c.push(performance.now() - t);
          cCpu.push(cpuMs(process.cpuUsage(u)));
        }
        t = performance.now();
        u = process.cpuUsage();
        compareArms(db, id, { a: name, b: names[(i + 1) % names.length]! });
        if (record) {
          ab.push(performance.now() - t);
          abCpu.push(cpuMs(process.cpuUsage(u)));
        }
      });
      return { c, ab, cCpu, abCpu };
    };
    run(false);
    const { c, ab, cCpu, abCpu } = run(true);
    const load = loadavg().map((x) => x.toFixed(2)).join(" ");
    const row = (label: string, xs: number[], cpu: number[]) =>
      `${label.padEnd(8)} wall median ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms; CPU median ${quantile(cpu, 0.5).toFixed(1)} ms, p95 ${quantile(cpu, 0.95).toFixed(1)} ms (target p95 < ${TARGET_MS} ms: wall ${quantile(xs, 0.95) < TARGET_MS ? "met" : "MISSED"}, CPU ${quantile(cpu, 0.95) < TARGET_MS ? "met" : "MISSED"})`;
    console.log(`\ncompare / ab, ${campaigns} campaigns x ${days} days, in-process time per call (load average ${load}):`);
    console.log(`  ${row("compare", c, cCpu)}`);
    console.log(`  ${row("ab", ab, abCpu)}`);
    db.$client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runCompareBench();
