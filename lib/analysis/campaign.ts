import "server-only";
import type { Db } from "@/db/client";
import { COIN_REFERENCE } from "@/lib/engine/coins-reference";
import { AppError } from "@/lib/errors";
import { currencyFormatter, formatCount, formatExpected, formatNumber, formatPercent, pluralCount } from "@/lib/format";
import { outcomeDistribution } from "./distributions";
import { latticeHistogram } from "./histogram";
import { cacheNamespace } from "./cache";
import { analysisKey, runAnalysis } from "./dataset";
import type { AnalysisQuery } from "./schemas";
import type { CampaignAnalysis, CampaignDetail, DailyPoint, LagSummary } from "./types";

const HORIZON_WORD = { day: "day", week: "week", month: "month" } as const;

/** An amount for a sentence: whole units from 100 up, cents below; the currency's sign, or a plain number without one. */
function money(x: number, currency: string | null): string {
  return currencyFormatter(currency, { digits: Math.abs(x) < 100 ? 2 : 0 })(x);
}

/** A count for a sentence: whole counts as they are, fractional (attributed) ones like formatCount; "1,234". */
const count = (x: number) => formatCount(x);
/** A probability for a sentence: "under 0.1%", "2.5%", "37%". */
const pct = (p: number) => (p < 0.001 ? "under 0.1%" : formatPercent(p, 0));

/** "1 week in N" for a probability p (N rounded), or a percentage when p is not small. */
function oneIn(p: number, word: string): string {
  if (p < 1e-3) return `fewer than 1 ${word} in 1,000`;
  if (p >= 0.5) return `${pct(p)} of ${word}s`;
  return `about 1 ${word} in ${formatNumber(Math.round(1 / p), 0)}`;
}

/**
 * The forecast in sentences a marketer can read: expected range, the bad-week frequency, the chance of no sale and
 * of losing money, all from the exact distributions.
 */
export function forecastSentences(c: CampaignAnalysis, currency: string | null, unit: "day" | "ad"): string[] {
  const f = c.forecast;
  const word = HORIZON_WORD[f.horizon];
  const out: string[] = [];
  const per = unit === "ad" ? `for ${money(f.budget, currency)} of spend` : `at ${money(f.budget, currency)} per ${word}`;
  const expected = formatExpected(f.conversions.mean);
  out.push(
    `${per[0]!.toUpperCase()}${per.slice(1)}, expect about ${expected} ${expected === "1" ? "sale" : "sales"} (90% of ${word}s between ${count(f.conversions.q05)} and ${pluralCount(f.conversions.q95, "sale")}).`,
  );
  if (f.conversions.q05 > 0) {
    out.push(`In ${oneIn(0.05, word)}, sales fall to ${count(f.conversions.q05)} or fewer: that is noise, not a broken campaign.`);
  }
  out.push(`The chance of a ${word} with no sale at all is ${pct(f.pZeroConversions)}.`);
  if (f.pLoss !== null && c.revenue > 0) {
    out.push(
      `Revenue: about ${money(f.revenue.mean, currency)} (90% between ${money(f.revenue.q05, currency)} and ${money(f.revenue.q95, currency)}); ${f.pLoss < 1e-3 ? "practically never" : `in ${oneIn(f.pLoss, word)}`} does it come in below the ${money(f.budget, currency)} spent.`,
    );
  }
  if (unit === "day") out.push(`On a typical day at the current spend, the chance of no sale is ${pct(f.pZeroDay)}.`);
  out.push(c.verdict.text);
  return out;
}

/** Campaign pages, keyed like the analysis they come from (data revision, dataset, query) and the campaign. */
const details = cacheNamespace<CampaignDetail>("campaign-detail", 128);

/** One campaign's page: its analysis, the daily series with the model's noise band, distributions, sentences, coin. */
export function campaignDetail(db: Db, datasetId: number, campaign: string, q: AnalysisQuery): CampaignDetail {
  return details.getOrCompute(`${analysisKey(db, datasetId, q)}:${campaign}`, () => buildDetail(runAnalysis(db, datasetId, q), datasetId, campaign));
}

function buildDetail(run: ReturnType<typeof runAnalysis>, datasetId: number, campaign: string): CampaignDetail {
  const i = run.result.campaigns.findIndex((c) => c.campaign === campaign);
  if (i < 0) throw new AppError("not_found", `No campaign "${campaign.slice(0, 80)}" in dataset ${datasetId}.`);
  const analysis = run.result.campaigns[i]!;
  const est = run.estimate.campaigns[i]!;
  const input = run.inputs[i]!;

  const daily: DailyPoint[] = [];
  if (est.unit === "day") {
    const byDate = new Map(input.days.map((d) => [d.date, d]));
    for (const b of est.band) {
      if (!b.date) continue;
      const d = byDate.get(b.date);
      daily.push({
        date: b.date,
        clicks: b.clicks,
        spend: d?.spend ?? 0,
        conversions: b.conversions,
        revenue: d?.revenue ?? null,
        expected: b.expected,
        lo90: b.lo90,
        hi90: b.hi90,
        // the chart's count of days outside is the calibration's own: warm-up days are not judged
        // a provisional day is judged against the law of what has arrived so far (not scored in the calibration)
        outside: b.position === "inside" || (b.scored === false && !b.lag?.provisional) ? null : b.position,
        scored: b.scored !== false,
        provisional: b.lag?.provisional ?? false,
        completeness: b.lag?.completeness ?? 1,
        expectedFinal: b.lag?.expectedFinal ?? { mean: b.conversions, lo90: Math.round(b.conversions), hi90: Math.round(b.conversions) },
      });
    }
  }

  const f = est.forecast;
  const counts = outcomeDistribution(f.frequency, f.severity, { counts: true });
  const revenue = est.severity.countsOnly ? null : outcomeDistribution(f.frequency, f.severity);
  const btc = COIN_REFERENCE.find((c) => c.symbol === "BTC");
  const usdc = COIN_REFERENCE.find((c) => c.symbol === "USDC");
  return {
    datasetId,
    campaign,
    source: run.result.source,
    currency: run.result.currency,
    unit: run.result.unit,
    analysis,
    daily,
    conversionsDist: latticeHistogram(counts, 60),
    revenueDist: revenue ? latticeHistogram(revenue, 60) : [],
    sentences: forecastSentences(analysis, run.result.currency, run.result.unit),
    lag: campaignLag(run.result.lag, campaign),
    coin: {
      campaign: analysis.coinVolatility,
      references: [btc, usdc]
        .filter((c) => c !== undefined)
        .map((c) => ({
          symbol: c.symbol,
          annualizedVolatility: c.annualizedVolatility,
          period: `${c.firstDate} to ${c.lastDate}`,
          source: c.source,
        })),
    },
  };
}

/** The dataset's lag summary, with the campaign's own curve in place of the dataset's when it has one. */
function campaignLag(lag: LagSummary, campaign: string): LagSummary {
  const own = lag.campaigns.find((c) => c.campaign === campaign);
  if (!own) return lag;
  const note = `${lag.note} This campaign's own curve is used: learned from ${formatNumber(own.learned.observations, 0)} of its conversions.`;
  return { ...lag, horizon: own.horizon, completeness: own.completeness, learned: own.learned, note };
}
