/**
 * `npm run bench:grow`: a dataset that grows by weekly exports, through the command line (whole process: npm, node,
 * the CLI's bundle, the import, the answer). A generated account of 100 campaigns x 365 days (36,500 rows) is
 * imported once; then WEEKS (default 52) weekly exports are added with `import <file> --into <id>`, each covering
 * the 100 days up to its week's end (100 x 100 = 10,000 rows: 93 days of re-stated figures that replace older rows,
 * 7 new days). Prints the median and the worst wall time of the weekly imports against the 1 s target, and the
 * database's growth (main file plus write-ahead log) per export against the two references: the bytes of 10,000
 * rows at the base dataset's bytes per row (keeping row versions), and of the whole live dataset (a snapshot).
 * The load average is printed beside the figures: the machine is shared and wall times rise with it.
 * Clicks are seeded by the week so every replaced row really differs; conversions mature as a platform's do: each
 * campaign-day has a fixed final count, each conversion a fixed delay (an exponential delay, 80% within 5 days, drawn
 * from a hash of the day, the campaign and the conversion), and an export ending on day E shows those arrived by the
 * end of E. Each upload's import time is then set to the day after its last day (as a weekly routine would have it).
 * Then learning the conversion-lag curve from the 52 exports (lib/analysis/lag-learn.ts: reading every row version,
 * pairing them by age, fitting the dataset and each campaign) is timed in this process: median of RUNS runs against
 * the 1 s target, with the curve learned beside the true one.
 */
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { openDatabase } from "@/db/client";
import { clearCache } from "@/lib/analysis/cache";
import { learnedLag } from "@/lib/analysis/lag-learn";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { seededRandom } from "@/lib/engine/estimate/rng";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const WEEKS = Number(process.env.BENCH_WEEKS ?? 52);
const CAMPAIGNS = 100;
const BASE_DAYS = 365;
const WINDOW_DAYS = 100;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-bench-grow-"));
const dbPath = path.join(dir, "grow.db");
const env = { ...process.env, DATABASE_PATH: dbPath, SAMPLE_DATA: "0" };

const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const iso = (d: number) => new Date(START + d * DAY_MS).toISOString().slice(0, 10);

const TRUE_K = Math.log(5) / 5; // 80% of conversions within 5 days
const RUNS = 5;

/** Conversions of day d, campaign c credited by the end of day `asOf` (see the header comment): each (day,
 * campaign) cell draws from its own seeded stream, so every export states the same final count and waits. */
function arrived(d: number, c: number, asOf: number): number {
  const u = seededRandom(d * 100_003 + c);
  const final = Math.floor(u() * 6);
  let n = 0;
  for (let i = 1; i <= final; i++) {
    const wait = -Math.log(1 - u()) / TRUE_K - u();
    if (wait <= asOf - d) n++;
  }
  return n;
}

/** Rows for days [from, to) of every campaign; `version` changes the figures (a later export re-states them). */
function exportCsv(file: string, from: number, to: number, version: number): void {
  const out: string[] = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  for (let d = from; d < to; d++) {
    for (let c = 0; c < CAMPAIGNS; c++) {
      const h = (d * 7919 + c * 104_729 + version * 15_485_863) % 1_000_003;
      const clicks = 50 + (h % 150);
      const conversions = arrived(d, c, to - 1);
      out.push(`${iso(d)},campaign ${String(c).padStart(3, "0")},${clicks * 20},${clicks},${conversions},${(clicks * 0.4).toFixed(2)},${(conversions * 37.5).toFixed(2)}`);
    }
  }
  fs.writeFileSync(file, out.join("\n") + "\n");
}

function cli(args: string[]): { ms: number; stdout: string } {
  const s = performance.now();
  const r = spawnSync("npm", ["run", "-s", "cli", "--", ...args], { cwd: ROOT, env, encoding: "utf8" });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`cli ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const size = () => ["", "-wal"].reduce((s, ext) => s + (fs.existsSync(dbPath + ext) ? fs.statSync(dbPath + ext).size : 0), 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;

try {
  console.log(`load average before: ${load()}`);
  cli(["datasets"]); // the CLI's bundle is built outside the timings
  const base = path.join(dir, "base.csv");
  exportCsv(base, 0, BASE_DAYS, 0);
  const first = JSON.parse(cli(["import", base, "--json"]).stdout) as { datasetId: number; rowsImported: number };
  // the base import is checkpointed (over 50,000 rows it would be; at 36,500 the log may hold it): count both files
  const baseSize = size();
  const perRow = baseSize / first.rowsImported;
  const times: number[] = [];
  const growth: number[] = [];
  let last = { rowsAdded: 0, rowsReplaced: 0, totalsAfter: { rows: 0 } };
  for (let w = 1; w <= WEEKS; w++) {
    const end = BASE_DAYS + 7 * w;
    const file = path.join(dir, `week-${w}.csv`);
    exportCsv(file, end - WINDOW_DAYS, end, w);
    const before = size();
    const r = cli(["import", file, "--into", String(first.datasetId), "--json"]);
    times.push(r.ms);
    growth.push(size() - before);
    last = (JSON.parse(r.stdout) as { upload: typeof last }).upload;
    fs.rmSync(file);
  }
  const rowsPerExport = CAMPAIGNS * WINDOW_DAYS;
  console.log(`base: ${first.rowsImported} rows (${CAMPAIGNS} campaigns x ${BASE_DAYS} days), ${mb(baseSize)}, ${perRow.toFixed(1)} bytes a row`);
  console.log(`${WEEKS} weekly exports of ${rowsPerExport} rows each through \`npm run -s cli -- import <file> --into <id>\` (whole process):`);
  console.log(`  wall time median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms, first ${times[0]?.toFixed(0)} ms, last ${times.at(-1)?.toFixed(0)} ms (target < 1 s)`);
  console.log(`  last export: ${last.rowsAdded} rows added, ${last.rowsReplaced} replaced; live rows ${last.totalsAfter.rows}`);
  console.log(`  database growth per export: median ${mb(median(growth))}; references: ${rowsPerExport} rows at ${perRow.toFixed(1)} bytes = ${mb(rowsPerExport * perRow)} (row versions), the live dataset = ${mb(last.totalsAfter.rows * perRow)} (a snapshot)`);
  console.log(`  database after ${WEEKS} exports: ${mb(size())} (base ${mb(baseSize)})`);
  // Each upload imported the day after its last day, then the curve learned from every version of the rows.
  const conn = new Database(dbPath);
  conn.prepare("UPDATE dataset_uploads SET imported_at = date(period_end, '+1 day') || 'T09:00:00.000Z'").run();
  conn.close();
  const db = openDatabase(dbPath);
  const learnTimes: number[] = [];
  const learnCpu: number[] = [];
  let learned = learnedLag(db, first.datasetId);
  for (let r = 0; r < RUNS; r++) {
    clearCache();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    learned = learnedLag(db, first.datasetId);
    learnTimes.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    learnCpu.push((c.user + c.system) / 1000);
  }
  db.$client.close();
  const fit = learned.exports?.dataset;
  console.log(`learning the conversion-lag curve from the ${WEEKS + 1} uploads (every row version read, paired by age, fitted per dataset and per campaign):`);
  console.log(
    `  wall time median ${median(learnTimes).toFixed(0)} ms of ${RUNS} runs, worst ${Math.max(...learnTimes).toFixed(0)} ms (target < 1 s); ` +
      `CPU time median ${median(learnCpu).toFixed(0)} ms (what an idle core would take; wall time rises with the load average)`,
  );
  if (fit) {
    console.log(
      `  k = ${fit.curve.k.toFixed(4)} per day, 90% interval [${fit.curve.kLo90.toFixed(4)}, ${fit.curve.kHi90.toFixed(4)}], true ${TRUE_K.toFixed(4)}; ` +
        `${fit.exports} exports, ${Math.round(fit.grown ?? 0)} conversions seen arriving late; ${learned.exports!.campaigns.size} campaigns with a curve of their own`,
    );
  } else console.log("  no curve learned (not enough information)");
  console.log(`load average after: ${load()}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
