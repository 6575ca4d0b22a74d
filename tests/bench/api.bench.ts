/**
 * `npm run bench:api`: the dataset and campaign endpoints, and the model endpoint a slider move calls, under 20
 * concurrent clients for 10 s each against `next start` on loopback (autocannon). Prints requests/s and p50/p95/p99
 * latency; target p95 < 100 ms on the sample dataset.
 */
import autocannon from "autocannon";
import { startServer } from "../support/server";

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
      });
    });
    inst.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
    });
  });
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
    const slider = JSON.stringify({
      frequency: { kind: "poisson", lambda: 21 },
      severity: { kind: "lognormal", mu: 4.2, sigma: 0.8 },
      pool: 37,
      rho: 0.15,
      quantiles: [0.05, 0.5, 0.95],
      floor: "q05",
    });
    const rows: Row[] = [];
    const targets: [string, autocannon.Options][] = [
      ["GET /api/datasets", { url: `${server.baseUrl}/api/datasets` }],
      ["GET /api/datasets/:id", { url: `${server.baseUrl}/api/datasets/${ds.id}` }],
      ["GET /api/datasets/:id/analysis?horizon=week", { url: `${server.baseUrl}/api/datasets/${ds.id}/analysis?horizon=week` }],
      ["GET .../campaigns/:c?horizon=month", { url: `${server.baseUrl}/api/datasets/${ds.id}/campaigns/${campaign}?horizon=month` }],
      ["GET /datasets/:id (page)", { url: `${server.baseUrl}/datasets/${ds.id}` }],
      ["POST /api/model (slider move: pool 37, rho .15)", { url: `${server.baseUrl}/api/model`, method: "POST", body: slider, headers: { "content-type": "application/json" } }],
    ];
    for (const [name, opts] of targets) {
      process.stdout.write(`${name} ... `);
      const row = await run(name, opts);
      rows.push(row);
      console.log(`${row.rps.toFixed(0)} req/s, p95 ${row.p95.toFixed(1)} ms`);
    }
    console.log(`\n${CONNECTIONS} concurrent clients, ${DURATION_S} s each, loopback, sample dataset`);
    console.log("| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | p95 < 100 ms |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---|");
    for (const r of rows)
      console.log(
        `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.non2xx} | ${r.p95 < 100 ? "yes" : "NO"} |`,
      );
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
