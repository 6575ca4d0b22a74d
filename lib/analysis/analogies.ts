import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { describeCoin } from "@/lib/engine/coins";
import { COIN_REFERENCE, type CoinReference } from "@/lib/engine/coins-reference";
import { simulateQueue, type QueueSpec } from "@/lib/engine/queue";
import { AppError } from "@/lib/errors";
import { parseYahooCsv } from "@/lib/ingest/prices";
import { formatFixed, formatNumber } from "@/lib/format";
import { collarDesk, type Atom } from "./collar";
import { binMass } from "./histogram";
import { poolingLab } from "./pooling";
import { labLattice } from "./pooling-lattice";
import { campaignOutcome, defaultLabDataset, specOutcome, type OutcomeModel } from "./pooling-source";
import type { HistogramPoint } from "./types";

/*
 * The analogies page: the same trade (the average about the same, the bad tail much better) in four worlds, each a
 * before/after histogram with its figures: web latency without and with a load balancer, one advertiser's outcome
 * alone and pooled, a coin's daily returns against a stablecoin's, and an outcome without and with a collar.
 */

export type AnalogyUnit = "ms" | "currency" | "return";

/** One side of a panel. */
export interface AnalogySeries {
  label: string;
  /** Bins with x at the centre; p is the probability of the bin. */
  histogram: HistogramPoint[];
  /** Probability masses drawn as spikes (a collar's floor and cap). */
  atoms: Atom[];
  /** The two figures marked on the chart: the mean and the tail figure of the panel. */
  mean: number;
  tail: number;
}

/** A figure compared before and after, and which direction is better. */
export interface AnalogyFigure {
  label: string;
  before: number;
  after: number;
  better: "lower" | "higher";
}

export interface AnalogyPanel {
  id: "latency" | "pooling" | "coins" | "collar";
  title: string;
  /** One line, with the computed figures. */
  caption: string;
  xLabel: string;
  unit: AnalogyUnit;
  currency: string | null;
  /** Name of the tail figure marked on the chart ("p99", "5% quantile", ...). */
  tailLabel: string;
  before: AnalogySeries;
  after: AnalogySeries;
  /** The mean change first, then the tail change. */
  figures: AnalogyFigure[];
  /** Where the data came from. */
  source: string;
}

export interface AnalogiesDto {
  panels: AnalogyPanel[];
  /** Panel c's two series (the page sends the kept one back with an upload). */
  coins: { coin: CoinSeries; stable: CoinSeries };
  notes: string[];
}

const BINS = 70;

// ---------------------------------------------------------------------------------------------------------------
// a) Latency.

/**
 * The latency setting: 8 servers at 30% load, lognormal service times of mean 20 ms (sigma 0.5), 200,000 requests
 * after a 20,000-request warm-up, seed 2026; with the balancer every request takes a 6 ms extra hop.
 */
const LATENCY_SETTING = {
  servers: 8,
  arrivalRate: (0.3 * 8) / 20,
  service: { kind: "lognormal", mean: 20, sigma: 0.5 },
  requests: 200_000,
  warmup: 20_000,
  seed: 2026,
  hopLatency: 6,
} as const;

/** A sample as mass points: the values sorted ascending, each with probability 1 / n. */
function sortedMass(xs: Float64Array): { values: Float64Array; probs: Float64Array } {
  const values = Float64Array.from(xs).sort();
  return { values, probs: new Float64Array(values.length).fill(1 / values.length) };
}

let latencyMemo: AnalogyPanel | null = null;

/** Panel a: latency without a balancer (random server) and with one (shortest queue plus a hop). Deterministic. */
export function latencyPanel(): AnalogyPanel {
  if (latencyMemo) return latencyMemo;
  const base: Omit<QueueSpec, "policy" | "hopLatency"> = {
    servers: LATENCY_SETTING.servers,
    arrivalRate: LATENCY_SETTING.arrivalRate,
    service: LATENCY_SETTING.service,
    requests: LATENCY_SETTING.requests,
    warmup: LATENCY_SETTING.warmup,
    seed: LATENCY_SETTING.seed,
  };
  const without = simulateQueue({ ...base, policy: "random" });
  const withLb = simulateQueue({ ...base, policy: "shortest-queue", hopLatency: LATENCY_SETTING.hopLatency });
  const a = sortedMass(without.latencies);
  const b = sortedMass(withLb.latencies);
  const hi = Math.max(without.p999, withLb.p999);
  const ms = (x: number) => `${formatFixed(x, x < 100 ? 1 : 0)} ms`;
  latencyMemo = {
    id: "latency",
    title: "Web latency: without and with a load balancer",
    caption: `The balancer adds ${LATENCY_SETTING.hopLatency} ms to every request: the mean goes from ${ms(without.mean)} to ${ms(withLb.mean)}, the slowest 1% from ${ms(without.p99)} to ${ms(withLb.p99)}.`,
    xLabel: "response time (ms)",
    unit: "ms",
    currency: null,
    tailLabel: "p99",
    before: { label: "Random server, no balancer", histogram: binMass(a, 0, hi, BINS), atoms: [], mean: without.mean, tail: without.p99 },
    after: { label: `Shortest queue, +${LATENCY_SETTING.hopLatency} ms hop`, histogram: binMass(b, 0, hi, BINS), atoms: [], mean: withLb.mean, tail: withLb.p99 },
    figures: [
      { label: "Mean response", before: without.mean, after: withLb.mean, better: "lower" },
      { label: "p99 (slowest 1%)", before: without.p99, after: withLb.p99, better: "lower" },
    ],
    source: `Seeded simulation (seed ${LATENCY_SETTING.seed}): ${LATENCY_SETTING.servers} servers at ${formatFixed(without.utilisation * 100, 0)}% load, Poisson arrivals, lognormal service times (mean ${LATENCY_SETTING.service.mean} ms, sigma ${LATENCY_SETTING.service.sigma}), ${formatNumber(LATENCY_SETTING.requests, 0)} requests.`,
  };
  return latencyMemo;
}

// ---------------------------------------------------------------------------------------------------------------
// b) Pooling and d) collar on the sample's median campaign.

/** Pool size of panel b. */
const ANALOGY_POOL = 20;

/** A built-in outcome when there is no dataset: Poisson(8) orders a week of lognormal(4, 0.8) value (mean ~$75). */
export const FALLBACK_MODEL = {
  frequency: { kind: "poisson", lambda: 8 },
  severity: { kind: "lognormal", mu: 4, sigma: 0.8 },
} as const;

/** The outcome behind panels b and d: the sample dataset's median campaign over a week, or the built-in model. */
function analogyOutcome(db: Db): { model: OutcomeModel; note: string | null } {
  const ds = defaultLabDataset(db);
  if (ds) {
    try {
      return { model: campaignOutcome(db, { datasetId: ds.id, horizon: "week", outcome: "revenue" }), note: null };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
    }
  }
  return {
    model: specOutcome(FALLBACK_MODEL),
    note: "No dataset to draw on: panels b and d use a built-in model (about 8 orders a week of about $75 each).",
  };
}

function describeSource(m: OutcomeModel): string {
  const s = m.source;
  return s.kind === "campaign"
    ? `${s.datasetName}: "${s.campaign}" (the median campaign by weekly revenue CV), revenue over a week.`
    : "Built-in model: Poisson(8) orders a week, lognormal order values (mu 4, sigma 0.8).";
}

function money(currency: string | null): (x: number) => string {
  return (x: number) => {
    const digits = Math.abs(x) < 100 ? 2 : 0;
    const n = formatFixed(x, digits);
    return currency === "USD" ? `$${n}` : currency ? `${n} ${currency}` : n;
  };
}

/** Panel b: one budget alone against its share of a pool of 20 like it (the dataset's estimated rho). */
export function poolingPanel(model: OutcomeModel): { panel: AnalogyPanel; rho: number } {
  const d = poolingLab(model, { k: ANALOGY_POOL, fee: 0, target: 0.1 });
  const currency = model.source.currency;
  const fm = money(currency);
  const solo = d.solo.figures;
  const pooled = d.pooled.figures;
  const panel: AnalogyPanel = {
    id: "pooling",
    title: "This advertiser: one budget alone and pooled",
    caption: `Pooled with ${ANALOGY_POOL - 1} budgets like it (rho ${formatFixed(d.rho, 2)}), the mean stays at ${fm(pooled.mean)} while a bad week (5% quantile) rises from ${fm(solo.q05)} to ${fm(pooled.q05)}.`,
    xLabel: `revenue per budget over a week${currency ? ` (${currency})` : ""}`,
    unit: "currency",
    currency,
    tailLabel: "5% quantile",
    before: { label: "One budget alone", histogram: d.solo.histogram, atoms: [], mean: solo.mean, tail: solo.q05 },
    after: { label: `Share of a pool of ${ANALOGY_POOL}`, histogram: d.pooled.histogram, atoms: [], mean: pooled.mean, tail: pooled.q05 },
    figures: [
      { label: "Mean", before: solo.mean, after: pooled.mean, better: "higher" },
      { label: "Bad week (5% quantile)", before: solo.q05, after: pooled.q05, better: "higher" },
    ],
    source: describeSource(model),
  };
  return { panel, rho: d.rho };
}

/** Panel d: panel b's solo outcome (same rho) without and with the zero-cost collar whose floor is its 5% quantile. */
export function collarPanel(model: OutcomeModel, rho: number): AnalogyPanel {
  const floor = labLattice(model, 1, rho).dist.quantile(0.05);
  const d = collarDesk(model, { floor, zeroCost: true, coin: "BTC" }, 7, rho);
  const currency = model.source.currency;
  const fm = money(currency);
  return {
    id: "collar",
    title: "An outcome without and with a collar",
    caption: `A zero-cost collar (floor ${fm(d.floor)}, cap ${fm(d.cap)}) keeps the mean at ${fm(d.after.figures.mean)} and lifts the average of the worst 5% of weeks from ${fm(d.before.figures.worst5)} to ${fm(d.after.figures.worst5)}.`,
    xLabel: `revenue over a week${currency ? ` (${currency})` : ""}`,
    unit: "currency",
    currency,
    tailLabel: "worst-5% average",
    before: { label: "No collar", histogram: d.before.histogram, atoms: [], mean: d.before.figures.mean, tail: d.before.figures.worst5 },
    after: { label: "Zero-cost collar", histogram: d.after.histogram, atoms: d.after.atoms, mean: d.after.figures.mean, tail: d.after.figures.worst5 },
    figures: [
      { label: "Mean", before: d.before.figures.mean, after: d.after.figures.mean, better: "higher" },
      { label: "Average of the worst 5%", before: d.before.figures.worst5, after: d.after.figures.worst5, better: "higher" },
    ],
    source: `${describeSource(model)} Floor at its 5% quantile, cap priced so the collar costs nothing on average.`,
  };
}


// ---------------------------------------------------------------------------------------------------------------
// c) A coin against a stablecoin.

/** A coin's daily log returns as drawn on panel c. */
export interface CoinSeries {
  label: string;
  /** Where the prices came from and their period. */
  source: string;
  histogram: HistogramPoint[];
  /** Daily sd (n - 1 divisor), annualized volatility (x sqrt(365)), 1% quantile and mean of the daily log return. */
  dailySd: number;
  annualizedVolatility: number;
  q01: number;
  mean: number;
  days: number;
}

/** Display range of panel c (daily log return): +-0.2 holds all but the rarest BTC days. */
const RETURN_RANGE: [number, number] = [-0.2, 0.2];

/**
 * Histogram counts (bins of width w from firstEdge) as chart bins inside RETURN_RANGE: x = the bin's centre
 * firstEdge + (i + 1/2) w, p = count / total count (so the bins shown may sum to slightly under 1).
 * Example: counts [1, 3] from -0.005 at width 0.005 give x -0.0025 (p 0.25) and 0.0025 (p 0.75).
 */
function binsInRange(firstEdge: number, binWidth: number, counts: readonly number[]): HistogramPoint[] {
  const total = counts.reduce((s, c) => s + c, 0) || 1;
  const out: HistogramPoint[] = [];
  counts.forEach((c, i) => {
    const x = firstEdge + (i + 0.5) * binWidth;
    if (x >= RETURN_RANGE[0] && x <= RETURN_RANGE[1]) out.push({ x, width: binWidth, p: c / total });
  });
  return out;
}

/** Panel c's series for a reference coin (COIN_REFERENCE: published figures and its histogram). */
export function referenceCoinSeries(ref: CoinReference): CoinSeries {
  return {
    label: ref.symbol,
    source: `${ref.source}, ${ref.firstDate} to ${ref.lastDate}`,
    histogram: binsInRange(ref.histogram.firstEdge, ref.histogram.binWidth, ref.histogram.counts),
    dailySd: ref.dailySd,
    annualizedVolatility: ref.annualizedVolatility,
    q01: ref.quantiles["0.01"] ?? Number.NaN,
    mean: ref.dailyMean,
    days: ref.days,
  };
}

/** Largest price file accepted on the analogies page (5 MiB of CSV text). */
export const COIN_UPLOAD_MAX_BYTES = 5 * 1024 * 1024;

const finite = z.number().refine(Number.isFinite, { error: "must be a finite number" });

/** A panel-c series sent back by the page (the side not being replaced), validated like any input. */
const coinSeriesSchema = z.strictObject({
  label: z.string().min(1).max(80),
  source: z.string().max(400),
  histogram: z
    .array(z.strictObject({ x: finite, width: finite.refine((w) => w > 0, { error: "must be > 0" }), p: finite.refine((p) => p >= 0 && p <= 1, { error: "must be in [0, 1]" }) }))
    .max(400),
  dailySd: finite,
  annualizedVolatility: finite,
  q01: finite,
  mean: finite,
  days: z.number().int().min(0),
});

/**
 * POST /api/analogies/coin body: a Yahoo-format price CSV, its label, which side of panel c it replaces, and
 * optionally the series on the other side (the reference coin or stablecoin when absent).
 */
export const coinUploadSchema = z.strictObject({
  csv: z
    .string({ error: "csv must be the file's text" })
    .min(1, { error: "the file is empty" })
    .max(COIN_UPLOAD_MAX_BYTES, { error: "the file is larger than 5 MB" }),
  name: z.string().max(120, { error: "name must be at most 120 characters" }).optional(),
  role: z.enum(["coin", "stable"], { error: 'role must be "coin" or "stable"' }),
  other: coinSeriesSchema.optional(),
});
export type CoinUpload = z.output<typeof coinUploadSchema>;

/**
 * A price file's series for panel c: parsed with parseYahooCsv, daily log returns binned like the reference
 * histograms (width 0.005 from -0.3), and their figures.
 *
 * @returns the series and the role it replaces. Throws AppError("unrecognised_format") for a file without Date and
 * Close columns, AppError("no_valid_rows") for one with fewer than 3 usable prices.
 */
export function uploadedCoinSeries(upload: Pick<CoinUpload, "csv" | "name">): { series: CoinSeries; skippedRows: number } {
  const series = parseYahooCsv(upload.csv);
  if (series.prices.length < 3) {
    throw new AppError("no_valid_rows", `The file has ${series.prices.length} usable daily prices; at least 3 are needed for returns.`);
  }
  const coin = describeCoin(series);
  const stats = coin.stats;
  if (!stats) throw new AppError("no_valid_rows", "The prices never change: there are no returns to show.");
  const label = (upload.name ?? "Uploaded coin").replace(/\.csv$/i, "").trim().slice(0, 60) || "Uploaded coin";
  return {
    skippedRows: series.skippedRows,
    series: {
      label,
      source: `Uploaded price file (${series.priceColumn}), ${coin.firstDate} to ${coin.lastDate}`,
      histogram: binsInRange(coin.histogram.firstEdge, coin.histogram.binWidth, coin.histogram.counts),
      dailySd: stats.sd,
      annualizedVolatility: stats.annualizedVolatility,
      q01: stats.quantiles["0.01"] ?? Number.NaN,
      mean: stats.mean,
      days: coin.days,
    },
  };
}

/** POST /api/analogies/coin: the uploaded series in its role, and panel c rebuilt with it. */
export function coinUpload(upload: CoinUpload): { role: "coin" | "stable"; series: CoinSeries; skippedRows: number; panel: AnalogyPanel } {
  const { series, skippedRows } = uploadedCoinSeries(upload);
  const other = upload.other ?? referenceCoinSeries(reference(upload.role === "coin" ? "USDC" : "BTC"));
  const panel = upload.role === "coin" ? coinsPanel(series, other) : coinsPanel(other, series);
  return { role: upload.role, series, skippedRows, panel };
}

/** Panel c from two series (the reference BTC and USDC unless replaced by uploads). */
export function coinsPanel(coin: CoinSeries, stable: CoinSeries): AnalogyPanel {
  const pct = (x: number) => `${formatFixed(x * 100, Math.abs(x) < 0.01 ? 2 : 1)}%`;
  return {
    id: "coins",
    title: `A coin against a stablecoin: ${coin.label} and ${stable.label}`,
    caption: `${coin.label}'s daily returns swing with an sd of ${pct(coin.dailySd)} (${pct(coin.annualizedVolatility)} a year); ${stable.label}'s with ${pct(stable.dailySd)}: its worst 1% of days lose ${pct(-stable.q01)}, against ${pct(-coin.q01)}.`,
    xLabel: "daily log return",
    unit: "return",
    currency: null,
    tailLabel: "1% quantile",
    before: { label: coin.label, histogram: coin.histogram, atoms: [], mean: coin.mean, tail: coin.q01 },
    after: { label: stable.label, histogram: stable.histogram, atoms: [], mean: stable.mean, tail: stable.q01 },
    figures: [
      { label: "Mean daily return", before: coin.mean, after: stable.mean, better: "higher" },
      { label: "Worst 1% of days (1% quantile)", before: coin.q01, after: stable.q01, better: "higher" },
      { label: "Daily volatility (sd)", before: coin.dailySd, after: stable.dailySd, better: "lower" },
    ],
    source: `${coin.label}: ${coin.source}. ${stable.label}: ${stable.source}. Bins of 0.5%; days beyond ±20% are left off the chart.`,
  };
}

function reference(symbol: "BTC" | "USDC"): CoinReference {
  const ref = COIN_REFERENCE.find((c) => c.symbol === symbol);
  if (!ref) throw new AppError("internal", `Reference figures for ${symbol} are missing.`);
  return ref;
}

/** The four panels (a latency, b pooling, c coins, d collar). */
export function analogies(db: Db): AnalogiesDto {
  const { model, note } = analogyOutcome(db);
  const pooling = poolingPanel(model);
  const coin = referenceCoinSeries(reference("BTC"));
  const stable = referenceCoinSeries(reference("USDC"));
  return {
    panels: [latencyPanel(), pooling.panel, coinsPanel(coin, stable), collarPanel(model, pooling.rho)],
    coins: { coin, stable },
    notes: note ? [note] : [],
  };
}
