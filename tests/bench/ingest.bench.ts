/**
 * `npm run bench:ingest`: the importer against the sqlite3 command-line shell on the same generated file.
 *
 * 1. Writes a seeded 1,000,000-row generic daily CSV to a temporary folder.
 * 2. Imports it 3 times, each in a fresh child process and a fresh database, through the upload code path
 *    (storeFile -> detectFile -> importFile). The child reports its own timings and its peak RSS
 *    (process.resourceUsage().maxRSS); the median run is reported.
 * 3. Between those runs, imports the same file with `/usr/bin/sqlite3` (`.mode csv`, `.import`) into a table of
 *    the same columns, in a fresh database with the app's storage settings (WAL, synchronous=NORMAL), timed from
 *    process start to exit; then, for reference only, once with the shell's defaults (rollback journal) and once
 *    followed by building the (campaign, date) index the app's table carries.
 * 3b. Also between them, the whole command a user runs, `npm run -s cli -- import <file> --json` (npm's own
 *    start-up included), timed from spawn to exit in a fresh database, against the sqlite3 shell's whole process:
 *    the medians of BENCH_RUNS runs and their ratio (target >= 0.6). One untimed run first builds the command
 *    line's bundle if a source changed. Without /usr/bin/sqlite3 the bench says so and skips the shell's runs.
 * 4. Repeats the importer on 3,000,000 rows (1 run by default) to show that memory does not grow with the file.
 *
 * The importer's lines also give the child's CPU time, and the load average is printed at the start and the end:
 * on a shared machine they say how far to trust the wall-clock figures.
 *
 * Targets: importer rows/s >= 0.6 x the sqlite3 shell's; peak RSS < 300 MB at both sizes.
 * Knobs: BENCH_ROWS, BENCH_LARGE_ROWS (0 skips), BENCH_RUNS, BENCH_LARGE_RUNS, BENCH_KEEP=1 keeps the folder.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { seededRandom } from "@/lib/engine/estimate/rng";

const ROOT = path.resolve(__dirname, "../..");
const SQLITE = "/usr/bin/sqlite3";
const HAS_SQLITE = fs.existsSync(SQLITE);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 3_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? 1);
const RSS_TARGET_MB = 300;
const RATIO_TARGET = 0.6;

interface ChildResult {
  rows: number;
  rejected: number;
  storeMs: number;
  detectMs: number;
  importMs: number;
  totalMs: number;
  /** CPU time of the child over the same span (user + system, all threads): less sensitive to other load. */
  cpuMs: number;
  maxRssMb: number;
}

/** A generic daily file: 250 campaigns a day, counts that respect impressions >= clicks >= conversions. */
async function writeCsv(file: string, rows: number, seed: number): Promise<void> {
  const rand = seededRandom(seed);
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  const day0 = Date.UTC(2019, 0, 1);
  let buf = "date,campaign,impressions,clicks,conversions,spend,revenue\n";
  let day = "";
  for (let i = 0; i < rows; i++) {
    if (i % 250 === 0) day = new Date(day0 + Math.floor(i / 250) * 86_400_000).toISOString().slice(0, 10);
    const impressions = Math.floor(200 + rand() * 40_000);
    const clicks = Math.floor(impressions * rand() * 0.04);
    const conversions = Math.floor(clicks * rand() * 0.08);
    const spend = (clicks * (0.2 + rand() * 1.8)).toFixed(2);
    const revenue = (conversions * (10 + rand() * 90)).toFixed(2);
    buf += `${day},Campaign ${i % 250},${impressions},${clicks},${conversions},${spend},${revenue}\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = "";
    }
  }
  await write(buf);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Runs a command and resolves with its wall time and output. */
function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ ms: number; stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - t0, stdout, stderr, code: code ?? -1 }));
    if (opts.input !== undefined && child.stdin) child.stdin.end(opts.input);
  });
}

async function importerRun(csv: string, work: string): Promise<ChildResult & { processMs: number }> {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  const r = await run(tsx, ["--conditions=react-server", "tests/bench/ingest.bench.ts", "--child", csv, work], {
    env: { ...process.env, NODE_ENV: "production", SAMPLE_DATA: "0", DATABASE_PATH: path.join(work, "bench.db") },
  });
  if (r.code !== 0) throw new Error(`importer run failed (${r.code}):\n${r.stderr}`);
  const last = r.stdout.trim().split("\n").at(-1) ?? "{}";
  const res = JSON.parse(last) as ChildResult;
  fs.rmSync(work, { recursive: true, force: true });
  return { ...res, processMs: r.ms };
}

/**
 * The import command exactly as a user runs it, `npm run -s cli -- import <file> --json`, whole process (npm's own
 * start, the command line's start, store, detect, import, exit), in a fresh database.
 */
async function cliCommandRun(csv: string, work: string, rows: number): Promise<number> {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const r = await run("npm", ["run", "-s", "cli", "--", "import", csv, "--json"], {
    env: { ...process.env, NODE_ENV: "production", SAMPLE_DATA: "0", DATABASE_PATH: path.join(work, "cli-command.db") },
  });
  if (r.code !== 0) throw new Error(`the CLI import failed (${r.code}):\n${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { rowsImported: number; rowsRejected: number };
  if (summary.rowsImported !== rows || summary.rowsRejected !== 0) {
    throw new Error(`the CLI imported ${summary.rowsImported} rows (${summary.rowsRejected} rejected), expected ${rows}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  return r.ms;
}

async function sqliteRun(csv: string, work: string, wal: boolean, withIndex = false): Promise<number> {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const script = [
    wal ? "PRAGMA journal_mode=WAL;" : "",
    wal ? "PRAGMA synchronous=NORMAL;" : "",
    "CREATE TABLE t(date TEXT, campaign TEXT, impressions INTEGER, clicks INTEGER, conversions REAL, spend REAL, revenue REAL);",
    ".mode csv",
    `.import --skip 1 ${csv} t`,
    withIndex ? "CREATE INDEX t_campaign_date ON t (campaign, date);" : "",
    "",
  ].join("\n");
  const r = await run(SQLITE, [path.join(work, "cli.db")], { input: script });
  if (r.code !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  const check = await run(SQLITE, [path.join(work, "cli.db"), "SELECT COUNT(*) FROM t;"]);
  const n = Number(check.stdout.trim());
  if (n !== ROWS) throw new Error(`sqlite3 imported ${n} rows, expected ${ROWS}`);
  fs.rmSync(work, { recursive: true, force: true });
  return r.ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** The child: one import through the upload code path, timings and peak RSS as JSON on the last line. */
async function child(csv: string, work: string): Promise<void> {
  const { openDatabase } = await import("@/db/client");
  const { storeFile } = await import("@/lib/ingest/store");
  const { detectFile } = await import("@/lib/ingest/detect");
  const { importFile } = await import("@/lib/ingest/import");
  const db = openDatabase(path.join(work, "bench.db"));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stored = await storeFile(csv, { uploadsDir: path.join(work, "uploads"), maxBytes: 4 * 1024 ** 3 });
  const t1 = performance.now();
  await detectFile(stored.path, { fileName: path.basename(csv) });
  const t2 = performance.now();
  const summary = await importFile(db, { ...stored, fileName: path.basename(csv) });
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  db.$client.close();
  const result: ChildResult = {
    rows: summary.rowsImported,
    rejected: summary.rowsRejected,
    storeMs: t1 - t0,
    detectMs: t2 - t1,
    importMs: t3 - t2,
    totalMs: t3 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-bench-ingest-"));
  // the machine may be shared: the load average says how far to trust the wall-clock figures
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`load average (1, 5, 15 min) at start: ${load()} on ${os.cpus().length} CPUs`);
  const work = path.join(dir, "work");
  try {
    const csv = path.join(dir, `generic-${ROWS}.csv`);
    let t = performance.now();
    await writeCsv(csv, ROWS, 20_260_105);
    const mb = fs.statSync(csv).size / 1024 ** 2;
    console.log(`file: ${fmt(ROWS)} rows, ${mb.toFixed(1)} MB (seeded, written in ${fmt(performance.now() - t)} ms)`);

    // Importer and shell runs alternate, so both see the same machine load.
    const ours: (ChildResult & { processMs: number })[] = [];
    const cli: number[] = [];
    const command: number[] = [];
    // untimed: builds the command line's bundle if a source changed since the last build
    await cliCommandRun(csv, work, ROWS);
    for (let i = 0; i < RUNS; i++) {
      const r = await importerRun(csv, work);
      if (r.rows !== ROWS || r.rejected !== 0) throw new Error(`imported ${r.rows} rows (${r.rejected} rejected), expected ${ROWS}`);
      ours.push(r);
      console.log(
        `  importer run ${i + 1}: store ${fmt(r.storeMs)} ms + detect ${fmt(r.detectMs)} ms + import ${fmt(r.importMs)} ms = ` +
          `${fmt(r.totalMs)} ms (${fmt((ROWS / r.totalMs) * 1000)} rows/s; CPU ${fmt(r.cpuMs)} ms), peak RSS ` +
          `${r.maxRssMb.toFixed(0)} MB [whole child process ${fmt(r.processMs)} ms]`,
      );
      if (HAS_SQLITE) {
        const ms = await sqliteRun(csv, work, true);
        cli.push(ms);
        console.log(`  sqlite3 .import run ${i + 1} (WAL, synchronous=NORMAL): ${fmt(ms)} ms (${fmt((ROWS / ms) * 1000)} rows/s)`);
      }
      const cmdMs = await cliCommandRun(csv, work, ROWS);
      command.push(cmdMs);
      console.log(`  CLI command run ${i + 1} (npm run -s cli -- import, whole process): ${fmt(cmdMs)} ms (${fmt((ROWS / cmdMs) * 1000)} rows/s)`);
    }
    if (HAS_SQLITE) {
      const cliDefault = await sqliteRun(csv, work, false);
      console.log(`  sqlite3 .import (shell defaults, rollback journal): ${fmt(cliDefault)} ms (${fmt((ROWS / cliDefault) * 1000)} rows/s)`);
      const cliIndexed = await sqliteRun(csv, work, true, true);
      console.log(
        `  sqlite3 .import (WAL) + the same (campaign, date) index the app keeps: ${fmt(cliIndexed)} ms ` +
          `(${fmt((ROWS / cliIndexed) * 1000)} rows/s; reference only)`,
      );
    } else {
      console.log(`  ${SQLITE} is not installed: the sqlite3 shell's reference runs are skipped (apt-get install sqlite3)`);
    }

    const oursRate = (ROWS / median(ours.map((r) => r.totalMs))) * 1000;
    const oursImportRate = (ROWS / median(ours.map((r) => r.importMs))) * 1000;
    const cliRate = HAS_SQLITE ? (ROWS / median(cli)) * 1000 : NaN;
    const commandRate = (ROWS / median(command)) * 1000;
    const rss1 = Math.max(...ours.map((r) => r.maxRssMb));

    let largeLine = "  3M-row run skipped (BENCH_LARGE_ROWS=0)";
    let rss3 = 0;
    if (LARGE_ROWS > 0) {
      const big = path.join(dir, `generic-${LARGE_ROWS}.csv`);
      t = performance.now();
      fs.rmSync(csv, { force: true });
      await writeCsv(big, LARGE_ROWS, 20_260_106);
      console.log(`file: ${fmt(LARGE_ROWS)} rows, ${(fs.statSync(big).size / 1024 ** 2).toFixed(1)} MB (written in ${fmt(performance.now() - t)} ms)`);
      const large: ChildResult[] = [];
      for (let i = 0; i < LARGE_RUNS; i++) {
        const r = await importerRun(big, work);
        if (r.rows !== LARGE_ROWS) throw new Error(`imported ${r.rows} rows, expected ${LARGE_ROWS}`);
        large.push(r);
        console.log(
          `  importer run ${i + 1}: ${fmt(r.totalMs)} ms (${fmt((LARGE_ROWS / r.totalMs) * 1000)} rows/s), peak RSS ${r.maxRssMb.toFixed(0)} MB`,
        );
      }
      rss3 = Math.max(...large.map((r) => r.maxRssMb));
      largeLine =
        `  ${fmt(LARGE_ROWS)} rows: ${fmt((LARGE_ROWS / median(large.map((r) => r.totalMs))) * 1000)} rows/s, ` +
        `peak RSS ${rss3.toFixed(0)} MB (${LARGE_RUNS} run${LARGE_RUNS === 1 ? "" : "s"})`;
    }

    const ok = (b: boolean) => (b ? "ok" : "MISSED");
    console.log(`\nsummary (medians of ${RUNS} run${RUNS === 1 ? "" : "s"})`);
    console.log(`  importer, upload path (store+detect+import): ${fmt(oursRate)} rows/s; import alone ${fmt(oursImportRate)} rows/s`);
    console.log(`  CLI import command (npm run -s cli -- import), whole process: ${fmt(median(command))} ms, ${fmt(commandRate)} rows/s`);
    if (HAS_SQLITE) {
      const ratio = oursRate / cliRate;
      const commandRatio = commandRate / cliRate;
      console.log(`  sqlite3 shell .import (WAL), whole process: ${fmt(median(cli))} ms, ${fmt(cliRate)} rows/s`);
      console.log(`  ratio, CLI command to the sqlite3 shell: ${commandRatio.toFixed(2)} (target >= ${RATIO_TARGET}): ${ok(commandRatio >= RATIO_TARGET)}`);
      console.log(`  ratio, upload path (in-process) to the sqlite3 shell: ${ratio.toFixed(2)} (reference)`);
    } else {
      console.log(`  no sqlite3 shell at ${SQLITE}: no ratio`);
    }
    console.log(`  peak RSS at ${fmt(ROWS)} rows: ${rss1.toFixed(0)} MB (target < ${RSS_TARGET_MB}): ${ok(rss1 < RSS_TARGET_MB)}`);
    console.log(largeLine + (LARGE_ROWS > 0 ? ` (target < ${RSS_TARGET_MB}): ${ok(rss3 < RSS_TARGET_MB)}` : ""));
    console.log(`  load average (1, 5, 15 min) at the end: ${load()}`);
  } finally {
    if (process.env.BENCH_KEEP === "1") console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  child(process.argv[3] as string, process.argv[4] as string).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
