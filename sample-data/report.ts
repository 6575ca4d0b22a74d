/**
 * truth.json (the true parameters, machine-readable) and README.md (the same, for people), built from the model
 * constants and one simulation so the two can never disagree with the data files.
 */
import {
  CAMPAIGNS,
  CPC_LOG_SD,
  CURRENCY,
  DAYS,
  PACING_LOG_SD,
  SHOCK,
  START_DATE,
  WEEKDAY_NAMES,
  clicksPerDay,
  dateOf,
  weekdayFactors,
} from "./model";
import type { Simulation } from "./model";
import { longDateEnGb } from "./render";
import { lognormalMu } from "./random";
import {
  expectedDispersion,
  expectedTotals,
  realisedStats,
  shockVariance,
  surpriseCorrelations,
} from "./stats";
import type { ExpectedTotals, PairCorrelation, RealisedStats } from "./stats";

/** x rounded to d decimals, as a number (for readable JSON; the simulation itself never rounds its parameters). */
function round(x: number, d: number): number {
  return Number(x.toFixed(d));
}

export interface CampaignTruth {
  name: string;
  channel: string;
  salesPerDay: number;
  clicksPerDay: number;
  impressionsPerDay: number;
  ctr: number;
  cpc: number;
  conversionRate: number;
  orderValue: { distribution: "lognormal"; mean: number; sd: number; mu: number; sigma: number };
  trend: number;
  weekday: Record<(typeof WEEKDAY_NAMES)[number], number>;
  expected: ExpectedTotals & { conversionsPerDay: number; dispersion: number };
  realised: RealisedStats;
}

export interface Truth {
  description: string;
  seed: number;
  currency: string;
  period: { start: string; end: string; days: number };
  model: Record<string, string>;
  noise: { pacingLogSd: number; cpcLogSd: number };
  shock: {
    model: string;
    phi: number;
    logSd: number;
    factorMean: number;
    factorVariance: number;
    negbinSizeEquivalent: number;
    factors: number[];
  };
  campaigns: CampaignTruth[];
  surpriseCorrelation: { definition: string; pairs: PairCorrelation[] };
}

function roundedStats(s: RealisedStats): RealisedStats {
  return {
    ...s,
    spend: round(s.spend, 2),
    revenue: round(s.revenue, 2),
    salesPerDay: round(s.salesPerDay, 4),
    ctr: round(s.ctr, 6),
    cpc: round(s.cpc, 4),
    conversionRate: round(s.conversionRate, 6),
    averageOrderValue: round(s.averageOrderValue, 2),
    dispersion: round(s.dispersion, 4),
    orderLogMean: round(s.orderLogMean, 4),
    orderLogSd: round(s.orderLogSd, 4),
  };
}

/** The true parameters, the expected totals they imply, and what this seed realised. */
export function buildTruth(sim: Simulation): Truth {
  const v = shockVariance();
  const campaigns = CAMPAIGNS.map((c, i): CampaignTruth => {
    const e = expectedTotals(c);
    const perDay = e.conversions / DAYS;
    const w = weekdayFactors(c.channel);
    const weekday = Object.fromEntries(WEEKDAY_NAMES.map((name, d) => [name, round(w[d]!, 6)])) as CampaignTruth["weekday"];
    const s2 = c.orderValueSigma * c.orderValueSigma;
    return {
      name: c.name,
      channel: c.channel,
      salesPerDay: c.salesPerDay,
      clicksPerDay: round(clicksPerDay(c), 4),
      impressionsPerDay: round(clicksPerDay(c) / c.ctr, 2),
      ctr: c.ctr,
      cpc: c.cpc,
      conversionRate: c.conversionRate,
      orderValue: {
        distribution: "lognormal",
        mean: c.orderValueMean,
        // sd of a lognormal = mean * sqrt(exp(sigma^2) - 1)
        sd: round(c.orderValueMean * Math.sqrt(Math.expm1(s2)), 4),
        mu: round(lognormalMu(c.orderValueMean, c.orderValueSigma), 8),
        sigma: c.orderValueSigma,
      },
      trend: c.trend,
      weekday,
      expected: {
        impressions: round(e.impressions, 1),
        clicks: round(e.clicks, 2),
        conversions: round(e.conversions, 3),
        spend: round(e.spend, 2),
        revenue: round(e.revenue, 2),
        conversionsPerDay: round(perDay, 4),
        dispersion: round(expectedDispersion(perDay, c.conversionRate, v), 4),
      },
      realised: roundedStats(realisedStats(sim.rows[i] ?? [])),
    };
  });
  return {
    description:
      "True parameters of the noisefloor sample dataset (six simulated campaigns). Rates are per click or per impression; money in " +
      `${CURRENCY}. 'expected' holds period totals implied by the parameters; 'realised' holds what seed ${sim.seed} drew.`,
    seed: sim.seed,
    currency: CURRENCY,
    period: { start: START_DATE, end: dateOf(DAYS - 1), days: DAYS },
    model: {
      traffic: "impressions_t ~ Poisson(clicksPerDay / ctr * weekday[dow] * (1 + trend (t/179 - 1/2)) * exp(pacingLogSd e_t - pacingLogSd^2/2))",
      clicks: "clicks_t ~ Binomial(impressions_t, ctr)",
      spend: "spend_t = round_cents(clicks_t * cpc * exp(cpcLogSd f_t - cpcLogSd^2/2))",
      conversions: "conversions_t ~ Binomial(clicks_t, conversionRate * Z_t)",
      revenue: "revenue_t = sum of conversions_t order values, each round_cents(LogNormal(mu, sigma)), at least 0.01",
      shock: "x_0 ~ N(0, logSd^2); x_t = phi x_{t-1} + logSd sqrt(1 - phi^2) g_t; Z_t = exp(x_t - logSd^2/2); shared by all campaigns",
    },
    noise: { pacingLogSd: PACING_LOG_SD, cpcLogSd: CPC_LOG_SD },
    shock: {
      model: "mean-one lognormal with a stationary Gaussian AR(1) log",
      phi: SHOCK.phi,
      logSd: SHOCK.logSd,
      factorMean: 1,
      factorVariance: round(v, 8),
      // A Gamma(mean 1, variance v) mixing of a Poisson rate gives a negative binomial with size 1/v.
      negbinSizeEquivalent: round(1 / v, 4),
      factors: sim.shock.map((z) => round(z, 6)),
    },
    campaigns,
    surpriseCorrelation: {
      definition:
        `Pearson correlation over the ${DAYS} days of s_t = (conversions_t - clicks_t p) / sqrt(clicks_t p (1 - p)), p the true conversion rate. ` +
        "expected = m_i m_j v / sqrt(V_i V_j), V = m (1 - p (1 + v)) + m^2 v, m the mean conversions per day, v = factorVariance.",
      pairs: surpriseCorrelations(sim.rows).map((p) => ({ ...p, expected: round(p.expected, 4), realised: round(p.realised, 4) })),
    },
  };
}

/** truth.json text: two-space indented JSON with a final newline. */
export function renderTruthJson(truth: Truth): string {
  return `${JSON.stringify(truth, null, 2)}\n`;
}

/** Thousands-grouped fixed-decimal number for README tables: 1234567.891, 2 -> "1,234,567.89". */
function fmt(x: number, decimals = 0): string {
  const [int = "", frac] = x.toFixed(decimals).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

const pct = (x: number, decimals = 2) => `${(100 * x).toFixed(decimals)}%`;

export interface FileCounts {
  dailyRows: number;
  orderRows: number;
}

/** README.md: what each file is, how it was made, the true parameters and what this seed realised. */
export function renderReadme(truth: Truth, counts: FileCounts): string {
  const c = truth.campaigns;
  const bigPairs = truth.surpriseCorrelation.pairs.filter((p) => p.expected >= 0.05);
  const lines: string[] = [
    "# Sample data",
    "",
    `Six advertising campaigns of a fictional running-shoe shop over ${truth.period.days} days ` +
      `(${truth.period.start} to ${truth.period.end}, ${truth.currency}), simulated from known parameters. A new user can load ` +
      "any of these files to see the dashboard at work; tests can check that the engine recovers the parameters listed below " +
      "(also in `truth.json`).",
    "",
    "This file and every data file here are written by `npm run sample-data` (`tsx sample-data/generate.ts`). Do not edit them by " +
      "hand: change the generator and run it again. The unit test `tests/unit/sample-data.test.ts` regenerates everything into a " +
      "temporary folder and fails if a byte differs.",
    "",
    "## Files",
    "",
    "| file | rows | what |",
    "|---|---|---|",
    `| \`campaigns-daily.csv\` | ${fmt(counts.dailyRows)} | The generic daily template: \`date,campaign,impressions,clicks,conversions,spend,revenue\`; ISO dates, spend and revenue with two decimals, one row per campaign-day, sorted by date then campaign. |`,
    `| \`orders.csv\` | ${fmt(counts.orderRows)} | Order-level sales: \`date,campaign,order_id,value\`, one row per conversion. Per campaign-day the values sum to the daily file's revenue and their count is its conversions. |`,
    `| \`google-ads-campaign-report.csv\` | ${fmt(counts.dailyRows)} + 2 totals | The same daily data as a Google Ads UI download (UTF-8, comma): title line \`Campaign report\`, date-range line \`${longDateEnGb(truth.period.start)} - ${longDateEnGb(truth.period.end)}\`, then \`Day,Campaign,Campaign status,Currency code,Impr.,Clicks,CTR,Avg. CPC,Cost,Conversions,Conv. value,Conv. rate\`. |`,
    `| \`meta-ads-export.csv\` | ${fmt(counts.dailyRows)} | The same daily data as a Meta Ads Manager export with a daily breakdown (\`Reporting starts\` = \`Reporting ends\` = the day). |`,
    "| `truth.json` | | True parameters, expected totals, the daily shock factors, and the figures this seed realised. |",
    "| `generate.ts` | | The generator: `generate({ seed, outDir })` and the command-line entry. |",
    "| `model.ts`, `random.ts`, `stats.ts`, `render.ts`, `report.ts` | | The model and its parameters, the seeded PRNG and samplers, expected and realised statistics, the file renderers, this README and `truth.json`. |",
    "| `reference/random_reference.py`, `reference/reference-values.json` | | The Python script (numpy, scipy) that produced the reference values the unit test compares the PRNG and samplers with, and its output. |",
    "",
    "### Format details worth knowing when importing",
    "",
    "- Google Ads: `Impr.`, `Clicks`, `Conversions` and `Conv. value` use thousands separators and are quoted when they do (`\"1,234\"`); " +
      "`Cost` is printed without separators, as Google's own downloads do; `CTR` and `Conv. rate` are percentages with two decimals " +
      "(`3.21%`); `Conversions` has two decimals (`12.00`); a ratio with a zero denominator is ` --`. The last two rows are " +
      "`Total: Campaigns` (text columns ` --`) and `Total: Account` (text columns empty); every campaign is in the report, so both " +
      "carry the same sums, which equal the sums of the day rows. `Avg. CPC` of a total is total cost / total clicks.",
    "- Meta Ads: every header and text cell is quoted, numbers are bare, the currency is in `Amount spent (USD)`, " +
      "`CTR (link click-through rate)` is a percentage number without the sign (6 decimals at most), and `Cost per purchase` is empty " +
      "on a day without purchases.",
    "- Order ids run `SO-000001`, `SO-000002`, ... in file order (date, campaign, then the order in which values were drawn).",
    "",
    "## How it was generated",
    "",
    `Seed ${truth.seed}. A self-contained PRNG (xoshiro128** seeded through splitmix32, in \`random.ts\`) gives each part of the ` +
      "simulation its own stream: one for the market shock, and per campaign one for traffic and one for order values, so changing " +
      "one campaign's parameters leaves the other campaigns' data unchanged. Samplers: Box-Muller normals, Knuth (lambda < 10) " +
      "and Hoermann PTRS Poisson, waiting-time binomial, lognormal order values. No other project code is used, so the files change " +
      "only when this folder does.",
    "",
    `For campaign c on day t (t = 0 .. ${truth.period.days - 1}, dow = day of week):`,
    "",
    "```",
    `impressions_t ~ Poisson(K / ctr * weekday[dow] * (1 + trend (t/${truth.period.days - 1} - 1/2)) * exp(${PACING_LOG_SD} e_t - ${PACING_LOG_SD}^2/2))`,
    "clicks_t      ~ Binomial(impressions_t, ctr)",
    `spend_t       = round_cents(clicks_t * cpc * exp(${CPC_LOG_SD} f_t - ${CPC_LOG_SD}^2/2))`,
    "conversions_t ~ Binomial(clicks_t, p * Z_t)",
    "revenue_t     = sum of conversions_t order values, each round_cents(LogNormal(mu, sigma)), at least 0.01",
    "```",
    "",
    "with e_t, f_t standard normal (budget pacing and auction noise), K = salesPerDay / p the mean clicks per day, the weekday " +
      "multipliers averaging 1 over a week and the linear trend averaging 1 over the period. Every random factor has mean 1, so " +
      "ctr, cpc, p and the order-value mean are the true means of the period.",
    "",
    "## The shared market shock",
    "",
    "All campaigns share one daily factor Z_t on their conversion rates (a good day for the market is a good day for every campaign):",
    "",
    "```",
    `x_0 ~ N(0, s^2),  x_t = phi x_{t-1} + s sqrt(1 - phi^2) g_t,  Z_t = exp(x_t - s^2/2)      phi = ${truth.shock.phi}, s = ${truth.shock.logSd}`,
    "```",
    "",
    `E[Z_t] = 1 and Var[Z_t] = exp(s^2) - 1 = ${truth.shock.factorVariance.toFixed(5)}: conversion rates move together by about ` +
      `${(100 * truth.shock.logSd).toFixed(0)}% from day to day, and a good or bad day tends to be followed by another (lag-1 ` +
      `autocorrelation ${truth.shock.phi} on the log scale). Given clicks, a campaign's daily conversions then have variance ` +
      "m (1 - p (1 + v)) + m^2 v instead of the binomial m (1 - p), m = clicks * p: overdispersion that grows with volume. A gamma " +
      `mixing with the same variance would be a negative binomial of size 1/v = ${truth.shock.negbinSizeEquivalent.toFixed(1)}.`,
    "",
    "Size of the co-movement: the daily surprises s_t = (conversions_t - clicks_t p) / sqrt(clicks_t p (1 - p)) of two campaigns " +
      "correlate by m_i m_j v / sqrt(V_i V_j), V = m (1 - p (1 + v)) + m^2 v, roughly 0.1 to 0.25 between the campaigns with a few " +
      "sales a day or more. For the rare-sale campaigns the shock is drowned by the count noise (correlation near 0), which is the " +
      "point the product makes. Pairs with an expected correlation of at least 0.05:",
    "",
    `| campaigns | expected | realised (this seed, ${truth.period.days} days) |`,
    "|---|---|---|",
    ...bigPairs.map((p) => `| ${p.a} / ${p.b} | ${p.expected.toFixed(3)} | ${p.realised.toFixed(3)} |`),
    "",
    `With ${truth.period.days} days one realised correlation has a sampling sd of about 0.08 (1/sqrt(${truth.period.days}) = ` +
      `${(1 / Math.sqrt(truth.period.days)).toFixed(3)}, a little more because the shock persists from day to day), so single pairs ` +
      "scatter around the expected values; averaged over 40 seeds they match them within about 0.02 (checked by the unit test).",
    "",
    "## True parameters per campaign",
    "",
    "| campaign | channel | sales/day | clicks/day K | CTR | CPC | conv. rate p | order value mean | sd | log-sd sigma | mu | trend |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...c.map(
      (x) =>
        `| ${x.name} | ${x.channel} | ${x.salesPerDay} | ${fmt(x.clicksPerDay, 1)} | ${pct(x.ctr)} | $${x.cpc.toFixed(2)} | ` +
        `${pct(x.conversionRate, 1)} | $${fmt(x.orderValue.mean, 2)} | $${fmt(x.orderValue.sd, 2)} | ${x.orderValue.sigma} | ` +
        `${x.orderValue.mu.toFixed(4)} | ${x.trend >= 0 ? "+" : ""}${(100 * x.trend).toFixed(0)}% |`,
    ),
    "",
    "Weekday multipliers (Monday to Sunday, mean 1):",
    "",
    "| campaign | " + WEEKDAY_NAMES.join(" | ") + " |",
    "|---|" + WEEKDAY_NAMES.map(() => "---").join("|") + "|",
    ...c.map((x) => `| ${x.name} | ${WEEKDAY_NAMES.map((d) => x.weekday[d].toFixed(3)).join(" | ")} |`),
    "",
    "Expected period totals implied by the parameters (`expected` in `truth.json`):",
    "",
    "| campaign | impressions | clicks | conversions | spend | revenue | conversions/day | dispersion |",
    "|---|---|---|---|---|---|---|---|",
    ...c.map(
      (x) =>
        `| ${x.name} | ${fmt(x.expected.impressions)} | ${fmt(x.expected.clicks)} | ${fmt(x.expected.conversions, 1)} | ` +
        `$${fmt(x.expected.spend, 2)} | $${fmt(x.expected.revenue, 2)} | ${x.expected.conversionsPerDay.toFixed(3)} | ${x.expected.dispersion.toFixed(3)} |`,
    ),
    "",
    "`dispersion` is the expected Pearson dispersion of daily conversions given clicks (1 for a plain binomial).",
    "",
    `## What seed ${truth.seed} drew`,
    "",
    "| campaign | impressions | clicks | conversions | sales/day | zero-sale days | spend | revenue | CTR | CPC | conv. rate | avg order | dispersion |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...c.map((x) => {
      const r = x.realised;
      return (
        `| ${x.name} | ${fmt(r.impressions)} | ${fmt(r.clicks)} | ${fmt(r.conversions)} | ${r.salesPerDay.toFixed(2)} | ${r.zeroSaleDays} | ` +
        `$${fmt(r.spend, 2)} | $${fmt(r.revenue, 2)} | ${pct(r.ctr)} | $${r.cpc.toFixed(2)} | ${pct(r.conversionRate)} | ` +
        `$${fmt(r.averageOrderValue, 2)} | ${r.dispersion.toFixed(2)} |`
      );
    }),
    "",
    "## Reproducing",
    "",
    "```",
    "npm run sample-data            # rewrites the files in sample-data/ with the default seed",
    "```",
    "",
    "`generate({ seed, outDir })` from `sample-data/generate.ts` writes the same set of files for any seed into any folder. The " +
      "output depends only on the seed and this folder's code. Floating-point steps use IEEE-754 arithmetic and V8's " +
      "`Math.log`/`log1p`/`exp`/`cos` (the same fdlibm-derived code on every platform) and `Math.sqrt` (exactly rounded); counts are " +
      "integers and money is carried in integer cents, so a result could only move if one of those functions changed by an ulp " +
      "right at a rounding boundary.",
    "",
  ];
  return lines.join("\n");
}
