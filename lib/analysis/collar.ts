import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { niceCeil } from "@/lib/engine/aggregate";
import { collar as collarOn, zeroCostCap } from "@/lib/engine/collar";
import { COIN_REFERENCE, type CoinReference } from "@/lib/engine/coins-reference";
import { holdingDistribution, modelSpecSchema } from "@/lib/engine/contract";
import { collarOnHolding, type HoldingDistribution } from "@/lib/engine/holding";
import type { LatticeDistribution } from "@/lib/engine/lattice";
import { AppError } from "@/lib/errors";
import { currencyFormatter, formatSig } from "@/lib/format";
import { formatZodError } from "@/lib/validation";
import { holdingCollarNote } from "./messages";
import { binMass, massQuantile, type MassPoints } from "./histogram";
import { labLattice } from "./pooling-lattice";
import { campaignOutcome, OUTCOMES, specOutcome, type LabSource, type OutcomeModel } from "./pooling-source";
import { cacheNamespace } from "./cache";
import { HORIZONS } from "./schemas";
import type { HistogramPoint } from "./types";

/*
 * The collar desk: a floor F on an outcome S bought with a cap C, payoff min(max(S, F), C), priced at expected
 * payoffs (floor value E[(F - S)+], cap value E[(S - C)+]; the zero-cost cap makes them equal), on a campaign's
 * forecast and, beside it, on a coin holding over the same horizon.
 */

/** Volatile coins a collar can be put on (stablecoins barely move: a collar on them is empty). */
const COLLAR_COINS = ["BTC", "ETH"] as const;
export type CollarCoin = (typeof COLLAR_COINS)[number];

/** Bins of the before/after charts. */
const BINS = 70;
/** Value of the coin holding today (the figures read as "per $100 held"). */
const HOLDING_VALUE = 100;

const flag = z
  .union([z.boolean(), z.enum(["1", "0", "true", "false", "on", "off"])], { error: "zeroCost must be true or false" })
  .transform((v) => v === true || v === "1" || v === "true" || v === "on");
const amount = (what: string) =>
  z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce
      .number({ error: `${what} must be a number` })
      .min(0, { error: `${what} must be >= 0` })
      .max(1e12, { error: `${what} must be <= 1e12` })
      .optional(),
  );

const controls = {
  /** Floor amount (currency, or conversions); the outcome's 10% quantile when absent. */
  floor: amount("floor"),
  /** Cap amount; ignored when zeroCost is on; the 95% quantile when absent. */
  cap: amount("cap"),
  zeroCost: flag.default(true),
  coin: z.enum(COLLAR_COINS, { error: "coin must be BTC or ETH" }).default("BTC"),
};

/** GET /api/collar query. */
export const collarQuerySchema = z.object({
  datasetId: z.coerce.number({ error: "datasetId must be a number" }).int().positive({ error: "datasetId must be a positive id" }),
  campaign: z.string().min(1).max(500).optional(),
  horizon: z.enum(HORIZONS, { error: "horizon must be day, week or month" }).default("week"),
  outcome: z.enum(OUTCOMES, { error: "outcome must be revenue or conversions" }).default("revenue"),
  ...controls,
});
export type CollarQuery = z.output<typeof collarQuerySchema>;

/** POST /api/collar body: a model of the outcome (the contract's frequency and severity) and the controls. */
export const collarBodySchema = z.strictObject({
  frequency: z.unknown(),
  severity: z.unknown(),
  /** Horizon of the coin holding beside it, days (1-365). */
  horizonDays: z.number().int({ error: "horizonDays must be a whole number" }).min(1).max(365).default(7),
  ...controls,
});

export interface CollarControls {
  floor?: number | undefined;
  cap?: number | undefined;
  zeroCost: boolean;
  coin: CollarCoin;
}

/** A spike on a chart: a probability mass at one value (the floor or the cap). */
export interface Atom {
  x: number;
  p: number;
  label: string;
}

/** Figures of one side of the desk (before or after). */
export interface CollarSideFigures {
  mean: number;
  sd: number;
  q05: number;
  q50: number;
  q95: number;
  /** Average of the worst 5% of outcomes (lower-tail expected shortfall). */
  worst5: number;
}

/** The coin holding beside the campaign, with the collar at the same floor (and cap) levels. */
export interface CoinCollarDto {
  symbol: CollarCoin;
  source: string;
  period: string;
  horizonDays: number;
  /** Value today (the figures are per this much held). */
  value: number;
  /** P(S <= F) of the campaign's floor: the coin's floor sits at the same quantile level. */
  floorLevel: number;
  /** The cap's level when the cap is set by hand (null at zero cost). */
  capLevel: number | null;
  floor: number;
  cap: number | null;
  put: number;
  call: number;
  premium: number;
  meanBefore: number;
  meanAfter: number;
  q05Before: number;
  q05After: number;
  q05Gained: number;
  /** P(value after the horizon < value today). */
  pLoss: number;
  before: HistogramPoint[];
  after: HistogramPoint[];
  atoms: Atom[];
  note: string;
}

export interface CollarDto {
  source: LabSource;
  notes: string[];
  floor: number;
  cap: number;
  zeroCost: boolean;
  /** E[(F - S)+]: what the floor pays on average. */
  put: number;
  /** E[(S - C)+]: the upside above the cap handed over on average. */
  call: number;
  /** Premium = put - call: paid up front for the collar (0 at zero cost, up to round-off). */
  premium: number;
  /** E[S] - E[collared S] = call - put. */
  meanGivenUp: number;
  /** 5% quantile after minus before (>= 0). */
  q05Gained: number;
  /** P(S < F): how often the floor pays; P(S > C): how often the cap binds. */
  pFloorPays: number;
  pCapBinds: number;
  before: { figures: CollarSideFigures; histogram: HistogramPoint[] };
  after: { figures: CollarSideFigures; histogram: HistogramPoint[]; atoms: Atom[] };
  /** Slider bounds for floor and cap and a slider step, in the outcome's units. */
  ranges: { floorMin: number; floorMax: number; capMin: number; capMax: number; step: number };
  coin: CoinCollarDto;
  sentence: string;
  computeMs: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Coins from the reference histograms.

function coinReference(symbol: string): CoinReference {
  const ref = COIN_REFERENCE.find((c) => c.symbol === symbol);
  if (!ref) throw new AppError("invalid_query", `No reference figures for ${symbol}.`);
  return ref;
}

/**
 * Daily log returns rebuilt from a reference histogram: each bin's count at the bin's centre, then every return
 * shifted by one constant so their mean equals the published daily mean (the bin centres alone miss it by up to
 * half a bin). The clipped end bins hold the extreme days at -0.2975 / +0.2975 (the worst BTC day, -0.465, is cut
 * short there). Binning adds about w^2 / 12 to the variance (Sheppard): 2.1e-6 against BTC's 1.36e-3, 0.15%.
 *
 * @param ref - a CoinReference (histogram of width w from firstEdge)
 * @returns returns (one per counted day), on a lattice of spacing w. Example: BTC gives 1825 returns with mean
 * 0.00070305.
 */
export function referenceReturns(ref: CoinReference): number[] {
  const { firstEdge, binWidth, counts } = ref.histogram;
  const out: number[] = [];
  counts.forEach((c, i) => {
    for (let j = 0; j < c; j++) out.push(firstEdge + (i + 0.5) * binWidth);
  });
  if (out.length === 0) throw new AppError("invalid_query", `The ${ref.symbol} reference histogram is empty.`);
  let s = 0;
  for (const r of out) s += r;
  const shift = ref.dailyMean - s / out.length;
  return out.map((r) => r + shift);
}

/** Coin holdings by symbol and days (from the built-in reference histograms, not stored data: no revision). */
const holdings = cacheNamespace<HoldingDistribution>("coin-holding", 16);

/** The coin holding's value after `days` days from the reference returns (cached; the grid is the bins' spacing). */
export function referenceHolding(symbol: CollarCoin, days: number): HoldingDistribution {
  return holdings.getOrCompute(`${symbol}:${days}`, () => {
    const ref = coinReference(symbol);
    return holdingDistribution(referenceReturns(ref), { days, value: HOLDING_VALUE, step: ref.histogram.binWidth });
  });
}

function holdingMass(d: HoldingDistribution): MassPoints {
  return { values: d.values, probs: d.probs };
}

/**
 * Bins for a holding's values, which sit on an even grid of log returns (value = v0 exp(start + i step)): each bin
 * takes the same whole number of grid points between the 0.1% and 99.9% quantiles (no comb pattern from bins holding
 * 2 or 3 points by turns), its edges halfway (in log return) between points. Returns a binning function for any
 * mass on (a subset of) those values.
 */
function holdingGrid(d: HoldingDistribution, bins: number): (m: MassPoints) => HistogramPoint[] {
  const all = holdingMass(d);
  const iLo = Math.max(0, Math.round((Math.log(massQuantile(all, 0.001) / d.initialValue) - d.start) / d.step));
  const iHi = Math.max(iLo, Math.round((Math.log(massQuantile(all, 0.999) / d.initialValue) - d.start) / d.step));
  const per = Math.max(1, Math.ceil((iHi - iLo + 1) / bins));
  const n = Math.ceil((iHi - iLo + 1) / per);
  const edge = (b: number) => d.initialValue * Math.exp(d.start + (iLo + b * per - 0.5) * d.step);
  return (m) => {
    const mass = new Float64Array(n);
    for (let i = 0; i < m.values.length; i++) {
      const g = Math.round((Math.log((m.values[i] as number) / d.initialValue) - d.start) / d.step);
      if (g < iLo || g > iHi) continue;
      const b = Math.floor((g - iLo) / per);
      mass[b] = (mass[b] as number) + (m.probs[i] as number);
    }
    return Array.from(mass, (p, b) => {
      const l = edge(b);
      const r = edge(b + 1);
      return { x: (l + r) / 2, width: r - l, p };
    });
  };
}

/** Splits a collared payoff: mass strictly between floor and cap stays, the rest becomes two atoms. */
function collarMass(d: MassPoints, floor: number, cap: number): { interior: MassPoints; below: number; above: number } {
  const values: number[] = [];
  const probs: number[] = [];
  let below = 0;
  let above = 0;
  for (let i = 0; i < d.values.length; i++) {
    const v = d.values[i] as number;
    const p = d.probs[i] as number;
    if (v <= floor) below += p;
    else if (v >= cap) above += p;
    else {
      values.push(v);
      probs.push(p);
    }
  }
  return { interior: { values, probs }, below, above };
}

/**
 * The collar on $100 of a coin held `days` days, at the campaign collar's quantile levels: floor F = the holding's
 * floorLevel quantile; cap at capLevel, or (zero cost) where E[(V - C)+] = E[(F - V)+] (collarOnHolding). Legs valued
 * at expected payoffs under the holding's distribution; the collared 5% quantile is min(max(q05, F), C).
 *
 * @param floorLevel - P(S <= F) of the campaign's floor, in [0, 1] (0: the floor sits below every value)
 * @param capLevel - P(S <= C) of a hand-set cap, or null for the zero-cost cap
 */
function coinCollar(symbol: CollarCoin, days: number, floorLevel: number, capLevel: number | null): CoinCollarDto {
  const ref = coinReference(symbol);
  const d = referenceHolding(symbol, days);
  const mass = holdingMass(d);
  const floor = floorLevel > 0 ? massQuantile(mass, Math.min(floorLevel, 0.999)) : (d.values[0] as number);
  let cap: number | null;
  let put = 0;
  for (let i = 0; i < d.values.length; i++) put += (d.probs[i] as number) * Math.max(0, floor - (d.values[i] as number));
  let note: string;
  if (capLevel === null) {
    const zc = collarOnHolding(d, { floor });
    cap = zc.zeroCostCap;
    note = holdingCollarNote(zc.finding);
  } else {
    cap = Math.max(floor, massQuantile(mass, Math.min(Math.max(capLevel, 1e-9), 1 - 1e-9)));
    note = holdingCollarNote("same-levels");
  }
  let call = 0;
  if (cap !== null) for (let i = 0; i < d.values.length; i++) call += (d.probs[i] as number) * Math.max(0, (d.values[i] as number) - cap);
  const capOr = cap ?? Infinity;
  const split = collarMass(mass, floor, capOr);
  const grid = holdingGrid(d, BINS);
  const q05Before = massQuantile(mass, 0.05);
  const q05After = Math.min(Math.max(q05Before, floor), capOr);
  const atoms: Atom[] = [{ x: floor, p: split.below, label: "floor" }];
  if (cap !== null) atoms.push({ x: cap, p: split.above, label: "cap" });
  return {
    symbol,
    source: ref.source,
    period: `${ref.firstDate} to ${ref.lastDate}`,
    horizonDays: days,
    value: HOLDING_VALUE,
    floorLevel,
    capLevel,
    floor,
    cap,
    put,
    call,
    premium: put - call,
    meanBefore: d.mean,
    meanAfter: d.mean + put - call,
    q05Before,
    q05After,
    q05Gained: q05After - q05Before,
    pLoss: d.pLoss,
    before: grid(mass),
    after: grid(split.interior),
    atoms,
    note,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The desk.

/**
 * Average of the worst fraction p of outcomes: (1 / p) (sum of x_i P_i over the lowest points until mass p, the last
 * point's mass split so exactly p is taken) (lower-tail expected shortfall, Acerbi & Tasche 2002).
 *
 * @param d - mass points, values ascending, probabilities summing to 1
 * @param p - in (0, 1)
 * @returns the average. Example: points 0, 10 with masses 0.5, 0.5 and p 0.05 give 0.
 */
export function lowerTailMean(d: MassPoints, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  let taken = 0;
  let sum = 0;
  for (let i = 0; i < d.values.length && taken < p; i++) {
    const w = Math.min(d.probs[i] as number, p - taken);
    sum += w * (d.values[i] as number);
    taken += w;
  }
  return taken > 0 ? sum / taken : (d.values[0] as number);
}

/** Mean and sd as given, 5/50/95% quantiles and the worst-5% average of mass points (values ascending). */
function sideFigures(values: MassPoints, mean: number, sd: number): CollarSideFigures {
  return {
    mean,
    sd,
    q05: massQuantile(values, 0.05),
    q50: massQuantile(values, 0.5),
    q95: massQuantile(values, 0.95),
    worst5: lowerTailMean(values, 0.05),
  };
}

/** A slider step of about 1/200 of a range, as a nice number. */
function sliderStep(range: number, counts: boolean): number {
  if (!(range > 0)) return counts ? 1 : 0.01;
  const s = niceCeil(range / 200);
  return counts ? Math.max(1, Math.round(s)) : s;
}

/**
 * The collar desk for an outcome model: the distribution before and after the collar (mass moved to the floor and
 * cap atoms), the legs' values, the premium, the mean given up and the 5% quantile gained, and the same collar (at
 * the same quantile levels) on a coin holding over the horizon.
 *
 * @param model - the outcome (a campaign's revenue or conversions over the horizon, or a model)
 * @param c - floor (default: the 10% quantile), cap (ignored at zero cost; default the 95% quantile), zeroCost, coin
 * @param horizonDays - the coin holding's horizon (the campaign's horizon in days)
 * @param rho - the budget's share of a common shock (default 0: the forecast as estimated); the analogies page
 * uses the pooling panel's rho so both panels show the same solo outcome
 * @returns the DTO. Throws AppError("invalid_query") for a cap below the floor, or a zero-cost floor above the mean
 * (no cap pays for it). Example: the zero-cost collar at the 5% quantile has premium ~0 and q05Gained >= 0.
 */
export function collarDesk(model: OutcomeModel, c: CollarControls, horizonDays: number, rho = 0): CollarDto {
  const lattice = labLattice(model, 1, rho);
  const dist: LatticeDistribution = lattice.dist;
  const counts = model.source.outcome === "conversions";
  // Default floor at the 10% quantile: a floor at the 5% quantile itself would leave the 5% quantile unchanged.
  const floor = c.floor ?? dist.quantile(0.1);
  let cap: number;
  if (c.zeroCost) {
    const zc = zeroCostCap(dist, floor);
    if (zc === null) {
      throw new AppError(
        "invalid_query",
        `A floor of ${formatSig(floor, 4)} is above the expected outcome (${formatSig(dist.mean, 4)}): no cap can pay for it. Lower the floor, or turn off zero cost.`,
      );
    }
    cap = zc;
  } else {
    cap = c.cap ?? dist.quantile(0.95);
    if (cap < floor) throw new AppError("invalid_query", "The cap must not be below the floor.");
  }
  const r = collarOn(dist, floor, cap);
  const mass: MassPoints = { values: dist.values(), probs: dist.pmf };
  const lo = Math.min(dist.quantile(0.001), floor);
  const hi = Math.max(dist.quantile(0.999), cap);
  const split = collarMass(mass, floor, cap);
  const after: MassPoints = { values: r.distribution.values, probs: r.distribution.pmf };
  const q001 = dist.quantile(0.001);
  const q999 = dist.quantile(0.999);
  const median = dist.quantile(0.5);
  const floorLevel = dist.cdf(floor);
  const capLevel = c.zeroCost ? null : dist.cdf(cap);
  const money0 = currencyFormatter(model.source.currency, { digits: 0 });
  const money2 = currencyFormatter(model.source.currency, { digits: 2 });
  const fmt = (x: number) => (counts ? `${formatSig(x, 3)} conversions` : Math.abs(x) >= 100 ? money0(x) : money2(x));
  const sentence = c.zeroCost
    ? `A floor at ${fmt(floor)} costs ${fmt(r.putValue)} on average; handing over everything above ${fmt(cap)} pays for it exactly, so the collar is free and the worst 5% case rises by ${fmt(r.q05Gained)}.`
    : `The floor at ${fmt(floor)} is worth ${fmt(r.putValue)}, the cap at ${fmt(cap)} gives up ${fmt(r.capValue)}: a premium of ${fmt(r.putValue - r.capValue)}.`;
  return {
    source: model.source,
    notes: [...model.notes],
    floor,
    cap,
    zeroCost: c.zeroCost,
    put: r.putValue,
    call: r.capValue,
    premium: r.putValue - r.capValue,
    meanGivenUp: r.meanGivenUp,
    q05Gained: r.q05Gained,
    pFloorPays: dist.probBelow(floor),
    pCapBinds: dist.survival(cap),
    before: {
      figures: sideFigures(mass, dist.mean, dist.sd),
      histogram: binMass(mass, lo, hi, BINS, dist.step),
    },
    after: {
      figures: sideFigures(after, r.meanAfter, r.sdAfter),
      histogram: binMass(split.interior, lo, hi, BINS, dist.step),
      atoms: [
        { x: floor, p: split.below, label: "floor" },
        { x: cap, p: split.above, label: "cap" },
      ],
    },
    ranges: {
      floorMin: Math.max(0, q001),
      floorMax: Math.max(q001, Math.min(median, dist.mean)),
      capMin: median,
      capMax: q999,
      step: sliderStep(q999 - q001, counts),
    },
    coin: coinCollar(c.coin, horizonDays, floorLevel, capLevel),
    sentence,
    computeMs: lattice.ms,
  };
}

/** GET /api/collar: the desk for a dataset's campaign (the median one when absent). */
export function collarForCampaign(db: Db, q: CollarQuery): CollarDto {
  const model = campaignOutcome(db, { datasetId: q.datasetId, campaign: q.campaign, horizon: q.horizon, outcome: q.outcome });
  const days = model.source.kind === "campaign" ? model.source.horizonDays : 7;
  return collarDesk(model, { floor: q.floor, cap: q.cap, zeroCost: q.zeroCost, coin: q.coin }, days);
}

/** POST /api/collar: the desk for a model given directly. */
export function collarForModel(body: z.output<typeof collarBodySchema>): CollarDto {
  const parsed = modelSpecSchema.safeParse({ frequency: body.frequency, severity: body.severity });
  if (!parsed.success) throw new AppError("invalid_body", formatZodError(parsed.error));
  return collarDesk(specOutcome(parsed.data), { floor: body.floor, cap: body.cap, zeroCost: body.zeroCost, coin: body.coin }, body.horizonDays);
}
