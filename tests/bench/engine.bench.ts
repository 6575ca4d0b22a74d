/**
 * `npm run bench:engine`: timings of the variance engine, against Panjer's recursion and numpy's FFT.
 *
 * Every figure is the median of 11 runs after three warm-up runs (Panjer: 3 runs after one, it takes
 * seconds).
 * "FFT" times the transform of the severity lattice, the pgf and the inverse; "whole" is the full model request
 * (discretisation, FFT, risk figures) as `POST /api/model` runs it. The numpy side (tests/bench/engine-numpy.py)
 * uses the same grid sizes and the same discretisation; it is skipped when python3 cannot import numpy.
 * Shared-rate pools at a day are timed as a count series against the shock's quadrature (both exact to ~1e-13).
 * Targets: FFT within 2x of numpy for lambda 50 and 800; the CV curve for k = 1..1000 under 50 ms; a day's
 * shared-rate pool under 100 ms (a pooling-lab slider move); the sample's analysis under 100 ms; the analysis of
 * 10 / 100 / 1,000 campaigns x 365 days in-process and through the CLI against 50 ms / 0.5 s / 5 s (./accounts.ts);
 * compare and ab per campaign of a 100 x 365 account against 100 ms (./compare.bench.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@/db/client";
import { computeAnalysis } from "@/lib/analysis/dataset";
import { benchAccounts, printAccountRows } from "./accounts";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { compoundFft, frequencyTerm, panjer, WorkLimitError } from "@/lib/engine/aggregate";
import { clearSpectrumMemo } from "@/lib/engine/fft";
import { modelSpecSchema, runModel } from "@/lib/engine/contract";
import type { ModelRequest } from "@/lib/engine/contract";
import { discretise } from "@/lib/engine/discretise";
import { binomial, frequencyFromSpec, negativeBinomial } from "@/lib/engine/frequency";
import type { Frequency } from "@/lib/engine/frequency";
import { cvCurve, latticeSeverityMoments, pooledShare, poolSizeForCv, shockVariance } from "@/lib/engine/pool";
import { lognormalSeverity, severityFromSpec } from "@/lib/engine/severity";

const RUNS = 11;
const PANJER_RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function timeIt(fn: () => unknown, runs = RUNS, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn(); // warm-up (JIT tiers, FFT plans)
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

interface LatticeCase {
  id: string;
  request: ModelRequest & { severity: { kind: "lognormal"; mu: number; sigma: number } };
  panjer: boolean;
}

const latticeCases: LatticeCase[] = [
  {
    id: "poisson50-lognormal(4,1) step 1",
    request: { frequency: { kind: "poisson", lambda: 50 }, severity: { kind: "lognormal", mu: 4, sigma: 1 }, step: 1 },
    panjer: true,
  },
  {
    id: "poisson800-lognormal(4,1) step 1",
    request: { frequency: { kind: "poisson", lambda: 800 }, severity: { kind: "lognormal", mu: 4, sigma: 1 }, step: 1 },
    panjer: true,
  },
  {
    id: "negbin(r5, mean50) step 1",
    request: { frequency: { kind: "negbin", r: 5, mean: 50 }, severity: { kind: "lognormal", mu: 4, sigma: 1 }, step: 1 },
    panjer: true,
  },
  {
    id: "pool of 10, rho 0.2, step 1",
    request: {
      frequency: { kind: "poisson", lambda: 50 },
      severity: { kind: "lognormal", mu: 4, sigma: 1 },
      step: 1,
      pool: 10,
      rho: 0.2,
    },
    panjer: false,
  },
];

// === SAMPLE DATASET ANALYSIS CASE ===
// Hook for the analysis of the bundled sample dataset (lib/analysis), to be added here: push entries of the form
// { id, run: () => unknown } and they are timed and printed with the other cases.
const sampleDatasetCases: Array<{ id: string; run: () => unknown }> = [];
{
  // The bundled sample (6 campaigns x 180 days + its order list) imported by the CLI into a throwaway database,
  // then analyzed from the database exactly as GET /api/datasets/:id/analysis does, without the result cache.
  const dir = mkdtempSync(join(tmpdir(), "noisefloor-bench-"));
  const dbPath = join(dir, "bench.db");
  for (const file of ["sample-data/campaigns-daily.csv", "sample-data/orders.csv"]) {
    const r = spawnSync(join("node_modules", ".bin", "tsx"), ["--conditions=react-server", "lib/cli/main.ts", "import", file], {
      env: { ...process.env, DATABASE_PATH: dbPath, SAMPLE_DATA: "0" },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`sample import failed: ${r.stderr}`);
  }
  const db = openDatabase(dbPath);
  for (const horizon of ["week", "month"] as const) {
    sampleDatasetCases.push({
      id: `sample analysis (6 campaigns, ${horizon})`,
      run: () => computeAnalysis(db, 1, { horizon }),
    });
  }
}

interface Row {
  id: string;
  grid: number;
  fftMs: number;
  wholeMs: number;
  panjerMs: number | null;
  numpyFftMs?: number;
  numpyWholeMs?: number;
}

const rows: Row[] = [];
const numpyInput: unknown[] = [];

for (const c of latticeCases) {
  const spec = modelSpecSchema.parse(c.request);
  const response = runModel(spec);
  const frequency = frequencyFromSpec(spec.frequency);
  const severity = severityFromSpec(spec.severity);
  const step = spec.step as number;
  const sev = discretise(severity, step).pmf;
  const k = spec.pool ?? 1;
  let pooled: Frequency = frequency.sumOf(k);
  let c2 = 0;
  if ((spec.rho ?? 0) > 0) {
    c2 = shockVariance(frequency, latticeSeverityMoments(sev, step), spec.rho as number);
    pooled = negativeBinomial(1 / c2, k * frequency.mean);
  }
  const term = frequencyTerm(pooled, sev);
  // The FFT first, before the allocation-heavy whole requests leave garbage to collect in its timings. numpy
  // transforms the severity at every run: so do these timings (the engine would otherwise take it from its memo).
  const fftMs = timeIt(() => {
    clearSpectrumMemo();
    return compoundFft([term], response.gridSize);
  });
  const wholeMs = timeIt(() => {
    clearSpectrumMemo();
    return runModel(spec);
  });
  let panjerMs: number | null = null;
  if (c.panjer) {
    const length = compoundFft([term], response.gridSize).length;
    panjerMs = timeIt(() => panjer(frequency, sev, length), PANJER_RUNS, 1);
  }
  rows.push({ id: c.id, grid: response.gridSize, fftMs, wholeMs, panjerMs });
  numpyInput.push({
    id: c.id,
    frequency: spec.frequency,
    severity: spec.severity,
    step,
    n: response.gridSize,
    pool: k,
    c2,
    runs: RUNS,
  });
}

// numpy, if available (OPENBLAS_* tuning variables unset for this one command, as for any numpy benchmark here).
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const py = spawnSync("python3", ["tests/bench/engine-numpy.py"], {
  input: JSON.stringify(numpyInput),
  encoding: "utf8",
  env,
  maxBuffer: 1 << 20,
});
let numpyNote = "numpy: not available (python3 could not import numpy); ratios skipped";
if (py.status === 0) {
  const got = JSON.parse(py.stdout) as Record<string, { fft_ms: number; whole_ms: number }>;
  for (const r of rows) {
    const n = got[r.id];
    if (n) {
      r.numpyFftMs = n.fft_ms;
      r.numpyWholeMs = n.whole_ms;
    }
  }
  numpyNote = "numpy: pocketfft rfft/irfft, same grids and discretisation (tests/bench/engine-numpy.py)";
} else if (py.stderr) {
  numpyNote += `\n  ${py.stderr.trim().split("\n").pop()}`;
}

// CV curve k = 1..1000 and the pool size for a target CV (closed form).
const cvMs = timeIt(() => {
  cvCurve(0.26, 0.2, 1000);
  poolSizeForCv(0.26, 0.2, 0.13);
}, 21);

const sampleRows = sampleDatasetCases.map((c) => ({ id: c.id, ms: timeIt(c.run) }));

// Shared-rate pools at a day's horizon (few conversions per budget, so the shock is wide): the pooled count as a
// series (beta-binomial, or a Gamma-mixed negative binomial) against mixing the pgf over the shock's quadrature
// rule at every frequency, on the same lattice. Both answer to ~1e-13; the largest difference of their figures (sd
// relative, quantiles in sd) is printed, or "refused" when the quadrature alone exceeds the work bound there.
const sharedRateCases = [
  { id: "binomial 70 x k 10, rho .2", frequency: binomial(70, 0.0067), k: 10, rho: 0.2 },
  { id: "binomial 70 x k 200, rho .3", frequency: binomial(70, 0.0067), k: 200, rho: 0.3 },
  { id: "binomial 70 x k 1000, rho .3", frequency: binomial(70, 0.0067), k: 1000, rho: 0.3 },
  { id: "negbin r 83 x k 5, rho .3", frequency: negativeBinomial(83, 0.167), k: 5, rho: 0.3 },
];
const dayOrders = lognormalSeverity(3.6, 0.6);
const sharedRows = sharedRateCases.map((c) => {
  // The same lattice for both (an automatic step may differ between them when the quadrature hits the work bound).
  const step = pooledShare({ frequency: c.frequency, severity: dayOrders, k: c.k, rho: c.rho }).step;
  const run = (quadratureOnly: boolean, k = c.k) => () =>
    pooledShare({ frequency: c.frequency, severity: dayOrders, k, rho: c.rho, step, quadratureOnly });
  const a = run(false)();
  // A slider move: the pool size goes from k to k - 1 and back, so no run repeats the one before it.
  let move = 0;
  const seriesMs = timeIt(() => run(false, move++ % 2 === 0 ? c.k - 1 : c.k)(), 5, 1);
  let b: ReturnType<typeof pooledShare>;
  try {
    b = run(true)();
  } catch (e) {
    // The quadrature alone may exceed the work bound on the series' lattice.
    if (!(e instanceof WorkLimitError)) throw e;
    return { id: c.id, seriesMs, quadMs: null, diff: null, nodes: "-" };
  }
  const diff = Math.max(
    Math.abs(a.distribution.sd / b.distribution.sd - 1),
    ...[0.05, 0.5, 0.95].map((p) => Math.abs(a.distribution.quantile(p) - b.distribution.quantile(p)) / b.distribution.sd),
  );
  return { id: c.id, seriesMs, quadMs: timeIt(run(true), 5, 1), diff, nodes: String(b.shock.nodes) };
});

const f = (x: number | null | undefined, d = 1): string => (x === null || x === undefined ? "-" : x.toFixed(d));
const ratio = (a: number, b: number | undefined): string => (b === undefined ? "-" : `${(a / b).toFixed(2)}x`);
const pad = (s: string, w: number): string => s.padStart(w);

console.log(`\nnoisefloor engine benchmark (median ms; ${RUNS} runs after warm-up, Panjer ${PANJER_RUNS} runs)`);
const load = loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`node ${process.version}, ${cpus().length} cores, load average ${load} (timings rise with it)`);
console.log(`${numpyNote}\n`);
console.log(
  "case".padEnd(34) +
    pad("grid", 8) +
    pad("FFT", 9) +
    pad("numpy", 9) +
    pad("ratio", 8) +
    pad("whole", 9) +
    pad("numpy", 9) +
    pad("ratio", 8) +
    pad("Panjer", 10),
);
for (const r of rows) {
  console.log(
    r.id.padEnd(34) +
      pad(String(r.grid), 8) +
      pad(f(r.fftMs), 9) +
      pad(f(r.numpyFftMs), 9) +
      pad(ratio(r.fftMs, r.numpyFftMs), 8) +
      pad(f(r.wholeMs), 9) +
      pad(f(r.numpyWholeMs), 9) +
      pad(ratio(r.wholeMs, r.numpyWholeMs), 8) +
      pad(f(r.panjerMs, 0), 10),
  );
}
console.log(`${"CV curve k = 1..1000 + pool size".padEnd(34)}${pad(f(cvMs, 3), 17)}`);
for (const s of sampleRows) console.log(`${s.id.padEnd(34)}${pad(f(s.ms), 17)}`);
if (sampleRows.length === 0) console.log("(sample dataset analysis case: not added yet)");

console.log("\nshared-rate pools at a day (lognormal(3.6, 0.6) orders): pooled count as a series vs quadrature");
console.log("case".padEnd(34) + pad("series", 9) + pad("quadr.", 9) + pad("nodes", 7) + pad("ratio", 8) + pad("max diff", 10));
for (const r of sharedRows) {
  console.log(
    r.id.padEnd(34) +
      pad(f(r.seriesMs), 9) +
      pad(r.quadMs === null ? "refused" : f(r.quadMs), 9) +
      pad(r.nodes, 7) +
      pad(ratio(r.seriesMs, r.quadMs ?? undefined), 8) +
      pad(r.diff === null ? "-" : r.diff.toExponential(1), 10),
  );
}

// Campaign-count rows: generated generic accounts of 10 / 100 / 1,000 campaigns x 365 days (tests/bench/accounts.ts).
printAccountRows(benchAccounts([10, 100, 1000]));

console.log("\ntargets");
for (const r of rows.slice(0, 2)) {
  const ok = r.numpyFftMs === undefined ? "n/a" : r.fftMs <= 2 * r.numpyFftMs ? "met" : "MISSED";
  console.log(`  ${r.id}: FFT within 2x of numpy: ${ok} (${ratio(r.fftMs, r.numpyFftMs)})`);
}
console.log(`  CV curve under 50 ms: ${cvMs < 50 ? "met" : "MISSED"} (${f(cvMs, 3)} ms)`);
for (const s of sampleRows) console.log(`  ${s.id} under 100 ms: ${s.ms < 100 ? "met" : "MISSED"} (${f(s.ms)} ms)`);
for (const r of sharedRows) {
  console.log(`  ${r.id} under 100 ms (a slider move): ${r.seriesMs < 100 ? "met" : "MISSED"} (${f(r.seriesMs)} ms)`);
}
void import("./calibration.bench")
  .then((m) => m.runCalibrationBench())
  .then(() => import("./compare.bench"))
  .then((m) => m.runCompareBench());
