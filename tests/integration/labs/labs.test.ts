/**
 * The labs' routes called directly (as Next calls them), on a temporary database with the sample data loaded:
 * GET/POST /api/pooling, GET/POST /api/collar, GET /api/analogies, POST /api/analogies/coin and
 * POST /api/model/distribution, including the check that the pooling screen's figures are those POST /api/model
 * gives for the same request.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as PoolingRoute from "@/app/api/pooling/route";
import type * as PoolingExactRoute from "@/app/api/pooling/exact/route";
import type * as CollarRoute from "@/app/api/collar/route";
import type * as AnalogiesRoute from "@/app/api/analogies/route";
import type * as CoinRoute from "@/app/api/analogies/coin/route";
import type * as ModelRoute from "@/app/api/model/route";
import type * as DistributionRoute from "@/app/api/model/distribution/route";
import type { AnalogiesDto } from "@/lib/analysis/analogies";
import type { CollarDto } from "@/lib/analysis/collar";
import type { PoolingDto, PoolingExactDto } from "@/lib/analysis/pooling";
import type { ModelResponse } from "@/lib/engine/contract";

// The routes read settings once from the environment: point them at a throwaway database before importing them.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-labs-"));
const dbPath = path.join(dir, "labs.db");
vi.stubEnv("DATABASE_PATH", dbPath);
vi.stubEnv("SAMPLE_DATA", "0");

type ErrorBody = { error: { code: string; message: string } };

let pooling: typeof PoolingRoute;
let poolingExact: typeof PoolingExactRoute;
let collar: typeof CollarRoute;
let analogiesRoute: typeof AnalogiesRoute;
let coin: typeof CoinRoute;
let model: typeof ModelRoute;
let distribution: typeof DistributionRoute;
let daily: number;
let orders: number;

beforeAll(async () => {
  const { getDb } = await import("@/db/client");
  const { loadSampleData } = await import("@/lib/ingest/sample");
  const summaries = await loadSampleData(getDb(), dbPath);
  daily = summaries.find((s) => s.kind === "observations")!.datasetId;
  orders = summaries.find((s) => s.kind === "orders")!.datasetId;
  pooling = await import("@/app/api/pooling/route");
  poolingExact = await import("@/app/api/pooling/exact/route");
  collar = await import("@/app/api/collar/route");
  analogiesRoute = await import("@/app/api/analogies/route");
  coin = await import("@/app/api/analogies/coin/route");
  model = await import("@/app/api/model/route");
  distribution = await import("@/app/api/model/distribution/route");
});

afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (handler: (r: Request) => Promise<Response>, pathAndQuery: string) => handler(new Request(`http://test${pathAndQuery}`));
const post = (handler: (r: Request) => Promise<Response>, body: unknown, raw = false) =>
  handler(new Request("http://test/api", { method: "POST", body: raw ? (body as string) : JSON.stringify(body), headers: { "Content-Type": "application/json" } }));

describe("GET /api/pooling/exact over every sample campaign", () => {
  const campaigns = [
    "Brand Search",
    "Display Remarketing",
    "Generic Search - Running Shoes",
    "Shopping - All Products",
    "Social Lookalike",
    "Video Prospecting",
  ];
  // Every pool of the CV chart (k = 1 .. 1000) computes for every campaign of the sample (order values in cents),
  // for the horizons and correlations a marketer can pick, and the dots sit on CV_1 sqrt(rho + (1 - rho) / k).
  it.each(campaigns.flatMap((c) => (["day", "week", "month"] as const).map((h) => [c, h] as const)))(
    "%s (%s): no pool is skipped and the CV follows the closed form within 0.5%",
    async (campaign, horizon) => {
      // A day of a rare campaign with a strong shock is the slowest mixture (seconds); 0.15 is checked there.
      for (const rho of horizon === "day" ? [0, 0.15] : [0, 0.15, 0.3]) {
        const q = `datasetId=${daily}&campaign=${encodeURIComponent(campaign)}&horizon=${horizon}&rho=${rho}`;
        const r = await get(poolingExact.GET, `/api/pooling/exact?${q}`);
        expect(r.status).toBe(200);
        const e = (await r.json()) as PoolingExactDto;
        expect(e.skipped).toEqual([]);
        const cv1 = e.exact[0]!.cv;
        for (const { k, cv } of e.exact) {
          // 0.5%: the lattice budgets' own variance (order values split across lattice points) against the model's.
          expect(Math.abs(cv / (cv1 * Math.sqrt(rho + (1 - rho) / k)) - 1), `k ${k} rho ${rho}`).toBeLessThan(0.005);
        }
      }
    },
  );
});

describe("GET /api/pooling", () => {
  it("answers for the dataset's median campaign with the estimated rho, histograms and the CV curve", async () => {
    const r = await get(pooling.GET, `/api/pooling?datasetId=${daily}&k=20`);
    expect(r.status).toBe(200);
    const d = (await r.json()) as PoolingDto;
    expect(d.source).toMatchObject({ kind: "campaign", datasetId: daily, horizon: "week", currency: "USD", outcome: "revenue" });
    expect(d.source.kind === "campaign" && d.source.campaigns.length).toBe(6);
    expect(d.rhoSource).toBe("estimate");
    expect(d.rho).toBe(d.rhoEstimate!.estimate);
    expect(d.rhoEstimate!.lo).toBeLessThanOrEqual(d.rho);
    expect(d.rhoEstimate!.hi).toBeGreaterThanOrEqual(d.rho);
    expect(d.solo.histogram.length).toBeGreaterThanOrEqual(60);
    expect(d.pooled.histogram.length).toBeLessThanOrEqual(80);
    expect(d.pooled.figures.cv).toBeLessThan(d.solo.figures.cv);
    expect(d.cv.exact.map((e) => e.k)).toEqual([1, 20]);
  });

  it("gives the CV chart's exact points apart, at the rho of the answer", async () => {
    const r = await get(poolingExact.GET, `/api/pooling/exact?datasetId=${daily}&rho=0.1`);
    expect(r.status).toBe(200);
    const e = (await r.json()) as PoolingExactDto;
    expect(e.rho).toBe(0.1);
    expect(e.exact.length + e.skipped.length).toBe(7);
    for (let i = 1; i < e.exact.length; i++) expect(e.exact[i]!.cv).toBeLessThan(e.exact[i - 1]!.cv);
  });

  it("shows figures equal to those POST /api/model gives for the same request (the model API agrees with the screen)", async () => {
    const d = (await (await get(pooling.GET, `/api/pooling?datasetId=${daily}&k=37&rho=0.1&fee=5`)).json()) as PoolingDto;
    for (const series of [d.solo, d.pooled]) {
      const r = await post(model.POST, series.spec);
      expect(r.status).toBe(200);
      const m = (await r.json()) as ModelResponse;
      // The same computation on the same lattice: moments equal to round-off (1e-12 relative), quantiles exactly.
      const same = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
      same(m.mean, series.figures.mean);
      same(m.sd, series.figures.sd);
      same(m.cv, series.figures.cv);
      same(m.skewness, series.figures.skewness);
      same(m.pZero, series.figures.pZero);
      expect(m.quantiles).toEqual({ "0.05": series.figures.q05, "0.5": series.figures.q50, "0.95": series.figures.q95 });
      expect(m.step).toBe(series.step);
      expect(m.gridSize).toBe(series.gridSize);
    }
    expect(d.pooled.spec).toMatchObject({ pool: 37, rho: 0.1 });
  });

  it("lowers the CV and narrows the middle 90% as k grows", async () => {
    const at = async (k: number) => (await (await get(pooling.GET, `/api/pooling?datasetId=${daily}&k=${k}`)).json()) as PoolingDto;
    const [a, b] = [await at(5), await at(200)];
    expect(b.pooled.figures.cv).toBeLessThan(a.pooled.figures.cv);
    expect(b.pooled.width90).toBeLessThan(a.pooled.width90);
  });

  it("answers for a named campaign and horizon", async () => {
    const r = await get(pooling.GET, `/api/pooling?datasetId=${daily}&campaign=${encodeURIComponent("Brand Search")}&horizon=month&k=3&rho=0`);
    expect(r.status).toBe(200);
    const d = (await r.json()) as PoolingDto;
    expect(d.source).toMatchObject({ campaign: "Brand Search", horizon: "month", horizonDays: 30 });
    expect(d.rhoSource).toBe("user");
    expect(d.cv.floor).toBe(0);
  });

  it("refuses a pool size out of range with a readable message (400 invalid_query)", async () => {
    const r = await get(pooling.GET, `/api/pooling?datasetId=${daily}&k=5000`);
    expect(r.status).toBe(400);
    const e = (await r.json()) as ErrorBody;
    expect(e.error.code).toBe("invalid_query");
    expect(e.error.message).toContain("k must be <= 1000");
  });

  it("answers 404 for an unknown dataset or campaign, 400 for an order list", async () => {
    expect((await get(pooling.GET, "/api/pooling?datasetId=9999")).status).toBe(404);
    expect((await get(pooling.GET, `/api/pooling?datasetId=${daily}&campaign=Nope`)).status).toBe(404);
    const r = await get(pooling.GET, `/api/pooling?datasetId=${orders}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as ErrorBody).error.code).toBe("invalid_query");
  });
});

describe("POST /api/pooling", () => {
  it("answers for a model given directly", async () => {
    const r = await post(pooling.POST, { frequency: { kind: "poisson", lambda: 8 }, severity: { kind: "lognormal", mu: 4, sigma: 0.8 }, k: 50, rho: 0.05 });
    expect(r.status).toBe(200);
    const d = (await r.json()) as PoolingDto;
    expect(d.source.kind).toBe("model");
    expect(d.k).toBe(50);
    expect(d.rho).toBe(0.05);
    expect(d.target.sentence).toMatch(/pool of|No pool size|already/);
  });

  it("computes its lattices within 2^18 points and says so: a strong shock at a quarter of the engine's grid", async () => {
    // The real daily campaign's week as the lab fits it today (NB r 24.8, mean 74,428 sales; lognormal(2.570,
    // 1.626) order values) at rho 0.95: a share whose sum reaches a hundred times its mean at 1e-13.
    const strong = { frequency: { kind: "negbin", r: 24.820651139165946, mean: 74427.95012524899 }, severity: { kind: "lognormal", mu: 2.569813464633622, sigma: 1.6258754052768982 } };
    const r = await post(pooling.POST, { ...strong, k: 9, rho: 0.95 });
    expect(r.status).toBe(200);
    const d = (await r.json()) as PoolingDto;
    for (const series of [d.solo, d.pooled]) {
      expect(series.spec).toMatchObject({ grid: 1 << 18 });
      expect(series.gridSize).toBeLessThanOrEqual(1 << 18);
      // POST /api/model with the request shown gives the same lattice
      const m = (await (await post(model.POST, series.spec)).json()) as ModelResponse;
      expect(m.step).toBe(series.step);
      expect(m.quantiles["0.5"]).toBe(series.figures.q50);
      // and the engine's own limit (2^19 points here, a step five times finer) the same figures: the mean to 1e-8
      // (round-off: a few millionths of a step, 3e-9 relative here), the median within 0.3% and the 95% quantile
      // within 0.05% (measured at most 0.18% and 0.01% at k = 1, 9, 89 and 891)
      const { grid: _grid, ...fullSpec } = series.spec as typeof series.spec & { grid?: number };
      const f = (await (await post(model.POST, fullSpec)).json()) as ModelResponse;
      expect(f.gridSize).toBeGreaterThan(1 << 18);
      expect(Math.abs(m.mean / f.mean - 1)).toBeLessThan(1e-8);
      expect(Math.abs((m.quantiles["0.5"] as number) / (f.quantiles["0.5"] as number) - 1)).toBeLessThan(3e-3);
      expect(Math.abs((m.quantiles["0.95"] as number) / (f.quantiles["0.95"] as number) - 1)).toBeLessThan(5e-4);
    }
  });

  it("computes a lattice the 2^18 limit refuses at the engine's own limit, and shows that request", async () => {
    // Poisson(1000) x lognormal(2, 3) at rho 0.3: its tail is too long for 2^18 points, not for 2^20
    const heavy = { frequency: { kind: "poisson", lambda: 1000 }, severity: { kind: "lognormal", mu: 2, sigma: 3 } };
    const r = await post(pooling.POST, { ...heavy, k: 1, rho: 0.3 });
    expect(r.status).toBe(200);
    const d = (await r.json()) as PoolingDto;
    expect(d.solo.spec).not.toHaveProperty("grid");
    expect(d.solo.gridSize).toBeGreaterThan(1 << 18);
    const m = (await (await post(model.POST, d.solo.spec)).json()) as ModelResponse;
    expect(m.gridSize).toBe(d.solo.gridSize);
    expect(m.quantiles["0.5"]).toBe(d.solo.figures.q50);
  });

  it("names the bad field of a model (400 invalid_body) and refuses unreadable JSON (400 invalid_json)", async () => {
    const r = await post(pooling.POST, { frequency: { kind: "poisson", lambda: -1 }, severity: { kind: "constant", value: 10 }, k: 5 });
    expect(r.status).toBe(400);
    const e = (await r.json()) as ErrorBody;
    expect(e.error.code).toBe("invalid_body");
    expect(e.error.message).toContain("frequency.lambda");
    const bad = await post(pooling.POST, "{not json", true);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBe("invalid_json");
  });
});

describe("GET /api/collar", () => {
  it("prices the default zero-cost collar at nothing (|put - call| < 1e-6 of the mean)", async () => {
    const r = await get(collar.GET, `/api/collar?datasetId=${daily}`);
    expect(r.status).toBe(200);
    const d = (await r.json()) as CollarDto;
    expect(d.zeroCost).toBe(true);
    expect(Math.abs(d.put - d.call)).toBeLessThan(1e-6 * d.before.figures.mean);
    expect(d.q05Gained).toBeGreaterThanOrEqual(0);
    expect(d.after.atoms.map((a) => a.label)).toEqual(["floor", "cap"]);
    expect(d.coin.symbol).toBe("BTC");
    expect(d.coin.horizonDays).toBe(7);
  });

  it("charges a premium for a cap set by hand and refuses a cap below the floor", async () => {
    const base = `/api/collar?datasetId=${daily}&zeroCost=0`;
    const d0 = (await (await get(collar.GET, `/api/collar?datasetId=${daily}`)).json()) as CollarDto;
    const r = await get(collar.GET, `${base}&floor=${d0.floor}&cap=${d0.ranges.capMax}`);
    const d = (await r.json()) as CollarDto;
    expect(d.premium).toBeGreaterThan(0);
    expect(d.premium).toBeCloseTo(d.put - d.call, 9);
    const bad = await get(collar.GET, `${base}&floor=${d0.floor}&cap=${d0.floor / 2}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.message).toContain("cap must not be below the floor");
  });

  it("collars conversions and holds ETH for a month", async () => {
    const r = await get(collar.GET, `/api/collar?datasetId=${daily}&outcome=conversions&horizon=month&coin=ETH`);
    expect(r.status).toBe(200);
    const d = (await r.json()) as CollarDto;
    expect(d.source.outcome).toBe("conversions");
    expect(d.coin).toMatchObject({ symbol: "ETH", horizonDays: 30 });
  });

  it("rejects a bad switch value", async () => {
    const r = await get(collar.GET, `/api/collar?datasetId=${daily}&zeroCost=maybe`);
    expect(r.status).toBe(400);
  });
});

describe("POST /api/collar", () => {
  it("collars a model given directly", async () => {
    const r = await post(collar.POST, { frequency: { kind: "poisson", lambda: 3 }, severity: { kind: "constant", value: 1 }, floor: 1 });
    expect(r.status).toBe(200);
    const d = (await r.json()) as CollarDto;
    expect(d.put).toBeCloseTo(Math.exp(-3), 12);
    expect(d.source.outcome).toBe("conversions");
  });
});

describe("GET /api/analogies", () => {
  it("returns the four panels, each with a caption and a mean and a tail figure", async () => {
    const r = await analogiesRoute.GET();
    expect(r.status).toBe(200);
    const d = (await r.json()) as AnalogiesDto;
    expect(d.panels.map((p) => p.id)).toEqual(["latency", "pooling", "coins", "collar"]);
    for (const p of d.panels) {
      expect(p.caption.length).toBeGreaterThan(20);
      expect(p.figures.length).toBeGreaterThanOrEqual(2);
      expect(p.before.histogram.length).toBeGreaterThan(10);
    }
    expect(d.panels[1]!.source).toContain("Sample shop");
    expect(d.notes).toEqual([]);
  });
});

describe("POST /api/analogies/coin", () => {
  const csv = fs.readFileSync(path.resolve(__dirname, "../../fixtures/coins/synthetic-USD.csv"), "utf8");

  it("turns a Yahoo price file into panel c's series", async () => {
    const r = await post(coin.POST, { csv, name: "synthetic.csv", role: "coin" });
    expect(r.status).toBe(200);
    const d = (await r.json()) as { role: string; series: { label: string; dailySd: number }; panel: { id: string; after: { label: string } } };
    expect(d.role).toBe("coin");
    expect(d.series.label).toBe("synthetic");
    expect(d.series.dailySd).toBeCloseTo(0.1341640786, 9);
    expect(d.panel).toMatchObject({ id: "coins", after: { label: "USDC" } });
  });

  it("refuses a file that is not a price file (422), a bad role (400) and more than 5 MB (413)", async () => {
    const notPrices = await post(coin.POST, { csv: "a,b\n1,2\n", role: "coin" });
    expect(notPrices.status).toBe(422);
    expect(((await notPrices.json()) as ErrorBody).error.code).toBe("unrecognised_format");
    const role = await post(coin.POST, { csv, role: "both" });
    expect(role.status).toBe(400);
    expect(((await role.json()) as ErrorBody).error.message).toContain("role");
    const big = await post(coin.POST, { csv: "x".repeat(5 * 1024 * 1024 + 10), role: "coin" });
    expect(big.status).toBe(413);
    expect(((await big.json()) as ErrorBody).error.code).toBe("too_large");
  });
});

describe("POST /api/model/distribution", () => {
  it("bins the model's lattice for a chart, with the step POST /api/model reports", async () => {
    const spec = { frequency: { kind: "poisson", lambda: 8 }, severity: { kind: "lognormal", mu: 4, sigma: 0.8 } };
    const r = await post(distribution.POST, spec);
    expect(r.status).toBe(200);
    const d = (await r.json()) as { histogram: { x: number; width: number; p: number }[]; step: number };
    expect(d.histogram.length).toBeGreaterThanOrEqual(60);
    expect(d.histogram.length).toBeLessThanOrEqual(80);
    const mass = d.histogram.reduce((s, b) => s + b.p, 0);
    expect(mass).toBeGreaterThan(0.997);
    const m = (await (await post(model.POST, spec)).json()) as ModelResponse;
    expect(d.step).toBe(m.step);
  });

  it("validates like POST /api/model", async () => {
    const r = await post(distribution.POST, { frequency: { kind: "poisson", lambda: 8 } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as ErrorBody).error.message).toContain("severity");
  });
});
