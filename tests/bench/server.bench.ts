/**
 * `npm run bench:server`: does the server stay up while a 1,000,000-row dataset is analyzed?
 * Against `next start` on loopback (no sample data), with a dataset of 200 campaigns x 5,000 days imported through
 * POST /api/uploads:
 * 1. reference: GET /api/datasets and GET /api/health latencies on the idle server (one client, one request after
 *    another, 5 s each);
 * 2. the same, three windows of 5 s each, while an uncached GET /api/datasets/:id/analysis of the 1M rows runs in the
 *    worker pool; then the analysis client leaves and the time until POST /api/model answers is measured.
 * Prints median and p95 per window, the median of the windows, and their ratio to the idle reference. Target: p95
 * under 100 ms while the analysis runs (before the worker pool, a health check behind such an analysis took 598 s).
 * BENCH_ROWS_CAMPAIGNS / BENCH_ROWS_DAYS change the size.
 */
import { loadTestCsv } from "../support/load-data";
import { startServer } from "../support/server";

const CAMPAIGNS = Number(process.env.BENCH_ROWS_CAMPAIGNS ?? 200);
const DAYS = Number(process.env.BENCH_ROWS_DAYS ?? 5000);
const WINDOW_MS = 5000;

const quantile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);

async function sample(url: string, ms: number, stillValid: () => boolean = () => true): Promise<{ n: number; p50: number; p95: number }> {
  const times: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const s = performance.now();
    const r = await fetch(url);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    if (stillValid()) times.push(performance.now() - s);
    await new Promise((res) => setTimeout(res, 20));
  }
  times.sort((a, b) => a - b);
  return { n: times.length, p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

const fmt = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const srv = await startServer({ sample: false, env: { TASK_TIMEOUT_S: "3600" } });
  try {
    const csv = loadTestCsv(CAMPAIGNS, DAYS);
    const t0 = performance.now();
    const up = await fetch(`${srv.baseUrl}/api/uploads?fileName=bench-server.csv`, { method: "POST", body: csv });
    const summary = (await up.json()) as { datasetId: number; rowsImported: number };
    console.log(`imported ${summary.rowsImported} rows (${(csv.length / 1048576).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const idleList = await sample(`${srv.baseUrl}/api/datasets`, WINDOW_MS);
    const idleHealth = await sample(`${srv.baseUrl}/api/health`, WINDOW_MS);
    console.log(`idle:  GET /api/datasets n=${idleList.n} p50 ${fmt(idleList.p50)} p95 ${fmt(idleList.p95)}; GET /api/health p50 ${fmt(idleHealth.p50)} p95 ${fmt(idleHealth.p95)}`);

    const leaving = new AbortController();
    let done = false;
    const a0 = performance.now();
    const analysis = fetch(`${srv.baseUrl}/api/datasets/${summary.datasetId}/analysis?horizon=week`, { signal: leaving.signal }).then(
      async (r) => {
        done = true;
        console.log(`analysis answered HTTP ${r.status} after ${((performance.now() - a0) / 1000).toFixed(1)} s`);
      },
      () => null,
    );
    await new Promise((r) => setTimeout(r, 300));
    const windows = [];
    for (let i = 0; i < 3; i++) {
      const w = await sample(`${srv.baseUrl}/api/datasets`, WINDOW_MS, () => !done);
      windows.push(w);
      console.log(`busy window ${i + 1}: GET /api/datasets n=${w.n} p50 ${fmt(w.p50)} p95 ${fmt(w.p95)}${done ? " (the analysis finished during it)" : ""}`);
    }
    const busyP50 = median(windows.map((w) => w.p50));
    const busyP95 = median(windows.map((w) => w.p95));
    console.log(`median of windows: p50 ${fmt(busyP50)} p95 ${fmt(busyP95)}; ratio to idle p95 ${(busyP95 / idleList.p95).toFixed(2)}x; target p95 < 100 ms: ${busyP95 < 100 ? "met" : "NOT met"}`);

    const wasRunning = !done;
    leaving.abort();
    await analysis;
    const m0 = performance.now();
    const model = await fetch(`${srv.baseUrl}/api/model`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ frequency: { kind: "poisson", lambda: 3 }, severity: { kind: "constant", value: 1 } }),
    });
    console.log(
      `${wasRunning ? "analysis abandoned by its client" : "analysis had finished"}; POST /api/model then answered HTTP ${model.status} in ${fmt(performance.now() - m0)}`,
    );
  } finally {
    srv.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
