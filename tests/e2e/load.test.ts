import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadTestCsv } from "../support/load-data";
import { startServer, type RunningServer } from "../support/server";

const chromiumPath = inject("chromiumPath");

/**
 * The server stays up while a big dataset is analyzed. A server of its own with one worker thread and a queue of
 * one, so that "busy" and "full" are reached with two requests. The dataset: 250 campaigns x 4,000 days = 1,000,000
 * rows, 47 MB, uploaded over HTTP: more than the 10 MB a Next proxy buffers, so it also checks that the upload route
 * is outside the proxy and nothing is cut (`npm run bench:server` times the same with more clients).
 */
describe.skipIf(!chromiumPath)("under load", () => {
  let srv: RunningServer;
  let datasetId = 0;

  beforeAll(async () => {
    srv = await startServer({ sample: false, env: { WORKER_THREADS: "1", WORKER_QUEUE: "1", TASK_TIMEOUT_S: "300" } });
    const csv = loadTestCsv(250, 4000);
    expect(csv.length).toBeGreaterThan(40 * 1024 * 1024);
    const res = await fetch(`${srv.baseUrl}/api/uploads?fileName=load-1m.csv`, { method: "POST", body: csv });
    expect(res.status).toBe(201);
    const summary = (await res.json()) as { datasetId: number; rowsImported: number; rowsRejected: number };
    expect(summary.rowsImported).toBe(1_000_000);
    expect(summary.rowsRejected).toBe(0);
    datasetId = summary.datasetId;
  }, 300_000);

  afterAll(() => srv?.stop());

  const health = async () => (await (await fetch(`${srv.baseUrl}/api/health`)).json()) as { pool: { inFlight: number } };

  /** GET /api/datasets one request after another for `ms`, timed from the client; `keep()` false drops a sample. */
  async function listLatencies(ms: number, keep: () => boolean = () => true): Promise<number[]> {
    const latencies: number[] = [];
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const s = performance.now();
      const r = await fetch(`${srv.baseUrl}/api/datasets`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      if (keep()) latencies.push(performance.now() - s);
      await new Promise((res) => setTimeout(res, 20));
    }
    return latencies.sort((a, b) => a - b);
  }
  const p95Of = (sorted: number[]) => sorted[Math.ceil(0.95 * sorted.length) - 1]!;

  it("keeps answering GET /api/datasets (p95 < 100 ms) while the analysis runs, refuses beyond the queue, and frees a worker whose client left", async () => {
    const base = srv.baseUrl;
    // 0. The reference: the same requests on the idle server, on this machine as it is now.
    const idle = await listLatencies(3000);
    const idleP95 = p95Of(idle);
    // 1. An uncached analysis of 1,000,000 rows, from a client that will leave.
    const leaving = new AbortController();
    const t0 = performance.now();
    let analysisDoneAt: number | null = null;
    const analysis = fetch(`${base}/api/datasets/${datasetId}/analysis?horizon=week`, { signal: leaving.signal }).then(
      () => (analysisDoneAt = performance.now()),
      () => null,
    );
    await new Promise((r) => setTimeout(r, 300));

    // 2. The list, one request after another for 6 s, while the analysis runs.
    const latencies = await listLatencies(6000, () => analysisDoneAt === null);
    // The analysis must still have been running for these figures to mean anything.
    expect(latencies.length).toBeGreaterThanOrEqual(50);
    const p95 = p95Of(latencies);
    console.log(
      `GET /api/datasets idle: n=${idle.length}, median ${idle[idle.length >> 1]!.toFixed(1)} ms, p95 ${idleP95.toFixed(1)} ms; ` +
        `during the analysis: n=${latencies.length}, median ${latencies[latencies.length >> 1]!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    );
    // Target: under 100 ms. On a machine that other work already slows (the idle p95 itself above 33 ms), the bound
    // is three times the idle p95 instead: what is tested is that the analysis adds no wait of its own, not the
    // machine's speed; the median must stay within twice the idle median. Before the worker pool these requests
    // waited for the whole analysis (over 100 s at this size).
    expect(p95).toBeLessThan(Math.max(100, 3 * idleP95));
    expect(latencies[latencies.length >> 1]!).toBeLessThan(Math.max(50, 2 * idle[idle.length >> 1]!));

    // 3. The thread is busy; one more heavy request waits in the queue; the next is refused at once. The first
    // analysis may have finished by now on a fast machine: then an analysis for another budget (not cached) takes
    // its place, so that the thread is busy whatever the machine's speed.
    let busyCtl = leaving;
    let busy: Promise<unknown> = analysis;
    let busyDone = () => analysisDoneAt !== null;
    if (analysisDoneAt !== null) {
      busyCtl = new AbortController();
      let doneAt: number | null = null;
      busy = fetch(`${base}/api/datasets/${datasetId}/analysis?horizon=week&budget=1234`, { signal: busyCtl.signal }).then(
        () => (doneAt = performance.now()),
        () => null,
      );
      busyDone = () => doneAt !== null;
      await expect.poll(async () => (await health()).pool.inFlight, { timeout: 5000 }).toBe(1);
    }
    const waitingCtl = new AbortController();
    const waiting = fetch(`${base}/api/datasets/${datasetId}/analysis?horizon=day`, { signal: waitingCtl.signal }).catch(() => null);
    await expect.poll(async () => (await health()).pool.inFlight, { timeout: 5000 }).toBe(2);
    const refused = await fetch(`${base}/api/datasets/${datasetId}/analysis?horizon=month`);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("overloaded");

    // 4. Both clients leave: their tasks are dropped and the one thread serves the next request at once.
    waitingCtl.abort();
    busyCtl.abort();
    leaving.abort();
    await Promise.all([analysis, busy, waiting]);
    expect(busyDone()).toBe(false); // it was still running when its client left
    await expect.poll(async () => (await health()).pool.inFlight, { timeout: 5000 }).toBe(0);
    const s = performance.now();
    const model = await fetch(`${base}/api/model`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ frequency: { kind: "poisson", lambda: 3 }, severity: { kind: "constant", value: 1 } }),
    });
    expect(model.status).toBe(200);
    expect(((await model.json()) as { mean: number }).mean).toBeCloseTo(3, 9); // E[S] = lambda x 1
    const modelMs = performance.now() - s;
    const analysisRanMs = performance.now() - t0;
    console.log(`after the client left (analysis abandoned after ${(analysisRanMs / 1000).toFixed(1)} s): POST /api/model answered in ${modelMs.toFixed(0)} ms`);
    // A fresh thread starts in about a second; had the abandoned analysis kept the only thread, this would wait for it.
    expect(modelMs).toBeLessThan(10_000);
  });
});
