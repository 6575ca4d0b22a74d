/**
 * `npm run bench:api`, against `next start` on loopback with the sample dataset:
 * 1. Throughput: the dataset and campaign endpoints, a dataset page and one model request (answered from the model
 *    cache after the first), each under 20 concurrent clients for 10 s (autocannon). Prints requests/s and
 *    p50/p95/p99 latency; target p95 < 100 ms for the API endpoints.
 * 2. Slider moves: what the pooling lab and the collar desk send while a control is dragged, each request new to the
 *    server (no cached answer): the pool-size slider over its 61 stops (k = 1 .. 1000) and the rho slider over
 *    0 .. 0.3 for every campaign of the sample at a week and a month, the pool size at a day (few conversions and
 *    a strong shared rate: the widest shock mixtures), the collar desk's floor, and the calculator's pool size
 *    (POST /api/model); one client, as one user drags.
 *    Prints p50/p95/max per control; target: well under 100 ms.
 * 3. The same pooling-lab sliders on the real daily campaign of ../shared (about 7,000 conversions a day), imported
 *    by the CLI into the running server's database, when ../shared is beside the project: the pool size at a day, a
 *    week and a month, rho 0 .. 0.3, the CV dots at rho 0.95, and the pool size at rho 0.95.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { startServer } from "../support/server";

/** The real daily campaign of ../shared (see ../shared/README.md), with the mapping its analyst's headers need. */
const REAL_CAMPAIGN = path.resolve(process.cwd(), "..", "shared", "data", "ads", "real_daily_one_campaign.csv");
const REAL_MAPPING = [
  "date=report_date",
  "campaign=campaign_number",
  "impressions=displays",
  "clicks=clicks",
  "conversions=post_click_conversions",
  "spend=cost",
  "revenue=post_click_sales_amount",
];

/**
 * Imports the real daily campaign into the running server's database through the CLI (another process writing the
 * same file, as an analyst would), and returns its dataset id; null when ../shared is not beside the project.
 */
function importRealCampaign(dataDir: string): number | null {
  if (!fs.existsSync(REAL_CAMPAIGN)) return null;
  const r = spawnSync(
    path.join("node_modules", ".bin", "tsx"),
    ["--conditions=react-server", "lib/cli/main.ts", "import", REAL_CAMPAIGN, ...REAL_MAPPING.flatMap((m) => ["--map", m]), "--json"],
    { env: { ...process.env, DATABASE_PATH: path.join(dataDir, "app.db"), SAMPLE_DATA: "0" }, encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`import of the real campaign failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { datasetId: number }).datasetId;
}

/** The pooling lab's sliders on the real daily campaign: k at a day, a week and a month, and rho at a week. */
async function realSliders(baseUrl: string, datasetId: number): Promise<SliderRow[]> {
  const kUrls: string[] = [];
  const rhoUrls: string[] = [];
  for (const horizon of ["day", "week", "month"]) {
    const base = `${baseUrl}/api/pooling?datasetId=${datasetId}&horizon=${horizon}`;
    await (await fetch(base)).arrayBuffer(); // warm-up: the analysis and the campaign's model
    for (const k of SLIDER_KS) kUrls.push(`${base}&k=${k}`);
    if (horizon === "week") for (const rho of SLIDER_RHOS) rhoUrls.push(`${base}&k=37&rho=${rho}`);
  }
  const exact = `${baseUrl}/api/pooling/exact?datasetId=${datasetId}&horizon=week&rho=0.95`;
  // rho at its top: a shared shock so strong that each lattice spans hundreds of means (the widest mixtures)
  const strong = SLIDER_KS.filter((_, i) => i % 4 === 0).map((k) => `${baseUrl}/api/pooling?datasetId=${datasetId}&horizon=week&rho=0.95&k=${k}`);
  return [
    await slider("real daily campaign: pool size k (61 stops x 3 horizons)", kUrls),
    await slider("real daily campaign: rho 0..0.3 at k = 37 (week)", rhoUrls),
    await slider("real daily campaign: exact CV dots at rho 0.95 (week)", [exact]),
    await slider("real daily campaign: pool size k at rho 0.95 (week, every 4th stop)", strong),
  ];
}

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = 20;

interface Row {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The statuses of the non-2xx answers and how many of each, e.g. "503 x 12". */
  statuses: string;
}

function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs autocannon and computes latency quantiles from every response time (autocannon reports no p95 itself). */
function run(name: string, opts: autocannon.Options): Promise<Row> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const other = new Map<number, number>();
    const inst = autocannon({ ...opts, connections: CONNECTIONS, duration: DURATION_S }, (err, r) => {
      if (err) return reject(err);
      times.sort((a, b) => a - b);
      resolve({
        name,
        rps: r.requests.average,
        p50: quantile(times, 0.5),
        p95: quantile(times, 0.95),
        p99: quantile(times, 0.99),
        errors: r.errors,
        non2xx: r.non2xx,
        statuses: [...other].map(([code, n]) => `${code} x ${n}`).join(", "),
      });
    });
    inst.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
      if (status < 200 || status > 299) other.set(status, (other.get(status) ?? 0) + 1);
    });
  });
}

interface SliderRow {
  name: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
  failed: number;
}

/** Sends the requests one after another (one user dragging) and times each; non-2xx answers count as failed. */
async function slider(name: string, requests: Array<string | { url: string; body: string }>): Promise<SliderRow> {
  const times: number[] = [];
  let failed = 0;
  for (const req of requests) {
    const t = performance.now();
    const r =
      typeof req === "string"
        ? await fetch(req)
        : await fetch(req.url, { method: "POST", body: req.body, headers: { "content-type": "application/json" } });
    await r.arrayBuffer();
    times.push(performance.now() - t);
    if (!r.ok) failed++;
  }
  times.sort((a, b) => a - b);
  return { name, n: times.length, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times[times.length - 1] ?? NaN, failed };
}

/** The pool sizes of the lab's slider: positions 0..300 in steps of 5, k = round(10^(position / 100)). */
const SLIDER_KS = [...new Set(Array.from({ length: 61 }, (_, i) => Math.max(1, Math.min(1000, Math.round(10 ** ((5 * i) / 100))))))];
/** rho from 0 to 0.3 in the slider's steps of 0.005, every fourth stop (a drag sends what the debounce lets through). */
const SLIDER_RHOS = Array.from({ length: 16 }, (_, i) => Math.round(i * 0.02 * 1000) / 1000);

async function sliders(baseUrl: string, datasetId: number, campaigns: string[], model: object): Promise<SliderRow[]> {
  // The calculator's pool slider: the bench's model at every pool size and three correlations.
  const calculator = [0, 0.1, 0.2].flatMap((rho) =>
    SLIDER_KS.map((k) => ({ url: `${baseUrl}/api/model`, body: JSON.stringify({ ...model, pool: k, rho }) })),
  );
  const kUrls: string[] = [];
  const rhoUrls: string[] = [];
  const floorUrls: string[] = [];
  // A day: few conversions per budget, so a shared rate is a wide shock (a beta-binomial or Gamma-mixed pooled
  // count, the dearest pools); dragged at the dataset's estimated rho (the slider's default) and at rho 0.2.
  const dayUrls: string[] = [];
  for (const c of campaigns) {
    const base = `${baseUrl}/api/pooling?datasetId=${datasetId}&campaign=${encodeURIComponent(c)}&horizon=day`;
    await (await fetch(base)).arrayBuffer();
    for (const k of SLIDER_KS) dayUrls.push(`${base}&k=${k}`, `${base}&k=${k}&rho=0.2`);
  }
  for (const horizon of ["week", "month"]) {
    for (const c of campaigns) {
      const base = `${baseUrl}/api/pooling?datasetId=${datasetId}&campaign=${encodeURIComponent(c)}&horizon=${horizon}`;
      // Warm-up (not timed): the page's first answer, which runs the dataset's analysis once.
      await (await fetch(base)).arrayBuffer();
      for (const k of SLIDER_KS) kUrls.push(`${base}&k=${k}`);
      for (const rho of SLIDER_RHOS) rhoUrls.push(`${base}&k=37&rho=${rho}`);
      const collar = `${baseUrl}/api/collar?datasetId=${datasetId}&campaign=${encodeURIComponent(c)}&horizon=${horizon}`;
      const first = (await (await fetch(collar)).json()) as { ranges: { floorMin: number; floorMax: number } };
      const { floorMin, floorMax } = first.ranges;
      for (let i = 0; i < 16; i++) floorUrls.push(`${collar}&floor=${(floorMin + ((floorMax - floorMin) * (i + 0.5)) / 16).toFixed(2)}`);
    }
  }
  return [
    await slider("pooling lab: pool size k (61 stops x 6 campaigns x 2 horizons)", kUrls),
    await slider("pooling lab: rho 0..0.3 at k = 37", rhoUrls),
    await slider("pooling lab: pool size k at a day (rho estimated, and 0.2)", dayUrls),
    await slider("collar desk: floor over its range (zero-cost cap solved each time)", floorUrls),
    await slider("calculator: pool size (POST /api/model, rho 0, 0.1, 0.2)", calculator),
  ];
}

async function main(): Promise<void> {
  console.log("starting the app (build if needed)...");
  const server = await startServer();
  try {
    const list = (await (await fetch(`${server.baseUrl}/api/datasets`)).json()) as {
      datasets: { id: number; name: string; kind: string }[];
    };
    const ds = list.datasets.find((d) => d.kind === "observations");
    if (!ds) throw new Error("no sample dataset");
    const analysis = (await (await fetch(`${server.baseUrl}/api/datasets/${ds.id}/analysis`)).json()) as {
      campaigns: { campaign: string }[];
    };
    const campaign = encodeURIComponent(analysis.campaigns[0]!.campaign);
    const model = {
      frequency: { kind: "poisson", lambda: 21 },
      severity: { kind: "lognormal", mu: 4.2, sigma: 0.8 },
      quantiles: [0.05, 0.5, 0.95],
      floor: "q05",
    };
    const oneRequest = JSON.stringify({ ...model, pool: 37, rho: 0.15 });
    const rows: Row[] = [];
    const targets: [string, autocannon.Options][] = [
      ["GET /api/datasets", { url: `${server.baseUrl}/api/datasets` }],
      ["GET /api/datasets/:id", { url: `${server.baseUrl}/api/datasets/${ds.id}` }],
      ["GET /api/datasets/:id/analysis?horizon=week", { url: `${server.baseUrl}/api/datasets/${ds.id}/analysis?horizon=week` }],
      ["GET .../campaigns/:c?horizon=month", { url: `${server.baseUrl}/api/datasets/${ds.id}/campaigns/${campaign}?horizon=month` }],
      ["GET /datasets/:id (page)", { url: `${server.baseUrl}/datasets/${ds.id}` }],
      [
        "POST /api/model, one request (pool 37, rho .15) from 20 clients: cached after the first",
        { url: `${server.baseUrl}/api/model`, method: "POST", body: oneRequest, headers: { "content-type": "application/json" } },
      ],
    ];
    for (const [name, opts] of targets) {
      process.stdout.write(`${name} ... `);
      const row = await run(name, opts);
      rows.push(row);
      console.log(`${row.rps.toFixed(0)} req/s, p95 ${row.p95.toFixed(1)} ms`);
    }
    console.log("\nslider moves (one client, every request new to the server) ...");
    const sliderRows = await sliders(server.baseUrl, ds.id, analysis.campaigns.map((c) => c.campaign), model);
    const realId = importRealCampaign(server.dataDir);
    if (realId === null) console.log("(../shared/data/ads/real_daily_one_campaign.csv not present: real-account sliders skipped)");
    else sliderRows.push(...(await realSliders(server.baseUrl, realId)));
    console.log(`\n${CONNECTIONS} concurrent clients, ${DURATION_S} s each, loopback, sample dataset`);
    console.log("| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | API target p95 < 100 ms |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---|");
    for (const r of rows)
      console.log(
        `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.non2xx}${r.statuses ? ` (${r.statuses})` : ""} | ${r.name.includes("(page)") ? "n/a (HTML page)" : r.p95 < 100 ? "yes" : "NO"} |`,
      );
    console.log("\nslider moves: one client, each request a new pool/correlation/floor (computed, not cached)");
    console.log("| control | requests | p50 ms | p95 ms | max ms | failed | p95 < 100 ms |");
    console.log("|---|---:|---:|---:|---:|---:|---|");
    for (const r of sliderRows)
      console.log(
        `| ${r.name} | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.failed} | ${r.p95 < 100 ? "yes" : "NO"} |`,
      );
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
