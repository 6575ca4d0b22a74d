"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Horizon } from "@/lib/analysis/schemas";
import type { ChangeMarker } from "@/lib/analysis/changes";
import type { CampaignAnalysis, CampaignDetail } from "@/lib/analysis/types";
import {
  coinRecords,
  dailyRecords,
  figureRecords,
  hasRevenue,
  histogramRecords,
  sentenceRecords,
  unitSuffix,
} from "@/lib/export/report";
import {
  currencyFormatter,
  formatCount,
  formatNumber,
  formatPercent,
  formatProbability,
  formatPercentRange,
  formatRange,
  formatSig,
  plural,
  pluralCount,
} from "@/lib/format";
import { HorizonBudgetFields } from "@/app/_components/analysis-controls";
import { analysisSearch, type LagQuery, type SourceQuery } from "@/app/_components/analysis-query";
import { apiErrorMessage } from "@/app/_components/api-error";
import { ChartFrame } from "@/app/_components/chart-frame";
import { CoinChart } from "@/app/_components/coin-chart";
import { chartChanges, DailyChart, dailyLegend, type ChartChange } from "@/app/_components/daily-chart";
import { DISTRIBUTION_LEGEND, DistributionChart } from "@/app/_components/distribution-chart";
import { ExportButtons } from "@/app/_components/export-buttons";
import { PALETTE } from "@/app/_components/palette";
import { Stat } from "@/app/_components/stat";
import { useUrlState } from "@/app/_components/use-url-state";
import { useChanges } from "./saved-changes";

export interface CampaignViewProps {
  datasetId: number;
  datasetName: string;
  /** "ad" for files without dates (figures across ads). */
  unit: "day" | "ad";
  /** The detail the server rendered with, for `initialQuery` (no loading flash). */
  initial: CampaignDetail;
  /** Horizon and budget (the controls), and the lag setting, as-of date and source the page was opened with (kept). */
  initialQuery: { horizon: Horizon; budget: number | undefined } & LagQuery & SourceQuery;
  /** The campaign's saved change markers as the server read them (drawn on the daily chart). */
  initialChanges: ChangeMarker[];
}

async function fetchDetail(
  datasetId: number,
  campaign: string,
  horizon: Horizon,
  budget: number | undefined,
  lag: LagQuery & SourceQuery,
): Promise<CampaignDetail> {
  const url = `/api/datasets/${datasetId}/campaigns/${encodeURIComponent(campaign)}${analysisSearch({ horizon, budget, ...lag }) || "?horizon=week"}`;
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(await apiErrorMessage(res));
  return (await res.json()) as CampaignDetail;
}

/**
 * The interactive part of a campaign page: horizon and budget controls (kept in the URL), headline figures, the
 * plain sentences, the daily chart, the outcome distributions, the coin comparison and the figures table. New
 * figures come from GET /api/datasets/:id/campaigns/:campaign; the previous ones stay on screen while they load.
 */
export function CampaignView({ datasetId, datasetName, unit, initial, initialQuery, initialChanges }: CampaignViewProps) {
  const campaign = initial.campaign;
  const [horizon, setHorizon] = useState<Horizon>(initialQuery.horizon);
  const [budget, setBudget] = useState<number | undefined>(initialQuery.budget);
  const lag: LagQuery & SourceQuery = { lag: initialQuery.lag, asOf: initialQuery.asOf, source: initialQuery.source };
  // The budget is applied once typing pauses, and only when it reads as an amount; ?horizon=&budget= follow the
  // controls so the address stays shareable (no navigation, no server render).
  const { budgetText, setBudgetText, parsed } = useUrlState({
    initialBudget: initialQuery.budget,
    onBudget: setBudget,
    search: analysisSearch({ horizon, budget, ...lag }),
  });

  const isInitial = horizon === initialQuery.horizon && budget === initialQuery.budget;
  const q = useQuery({
    queryKey: ["campaign-detail", datasetId, campaign, horizon, budget ?? null, lag.lag ?? null, lag.asOf ?? null, lag.source ?? null],
    queryFn: () => fetchDetail(datasetId, campaign, horizon, budget, lag),
    initialData: isInitial ? initial : undefined,
    placeholderData: keepPreviousData,
  });
  const d = q.data ?? initial;
  const markers = useChanges(datasetId, campaign, initialChanges).data;
  const c = d.analysis;
  const h = c.forecast.horizon;
  const updating = q.isFetching || (parsed.ok && parsed.value !== budget);

  return (
    <div className="campaign-view" aria-busy={updating}>
      <HorizonBudgetFields
        horizon={horizon}
        budgetText={budgetText}
        onHorizon={setHorizon}
        onBudgetText={setBudgetText}
        currency={d.currency}
        budgetError={parsed.ok ? null : parsed.message}
        pending={updating}
        defaultBudgetNote={`the campaign's current spend, ${currencyFormatter(d.currency, { digits: 0 })(c.spend / Math.max(1, c.units))} per ${unit === "ad" ? "ad" : "day"}`}
      />
      {q.isError && (
        <p className="alert error" role="alert">
          These figures could not be updated: {q.error instanceof Error ? q.error.message : "please try again"}. The figures below are for the
          previous settings.
        </p>
      )}
      <Headline d={d} unit={unit} />
      <Sentences d={d} h={h} />
      <DailySection d={d} datasetName={datasetName} unit={unit} changes={chartChanges(d.daily, markers)} />
      <h2>What a {h} can bring at this budget</h2>
      <div className="grid grid-2">
        <ChartFrame
          title={`Conversions in a ${h}`}
          caption={`How likely each number of conversions is over one ${h} at ${currencyFormatter(d.currency, { digits: 0 })(c.forecast.budget)} of spend; 9 ${h}s in 10 land in the shaded range.`}
          exportName={`${campaign}-conversions-${h}`}
          data={histogramRecords(d.conversionsDist, `conversions per ${h}`)}
          json={{ summary: c.forecast.conversions, pZero: c.forecast.pZeroConversions, points: d.conversionsDist }}
          kind="conversions-distribution"
          source={{ datasetId, campaign, horizon: h, budget: c.forecast.budget }}
          legend={DISTRIBUTION_LEGEND}
        >
          <DistributionChart points={d.conversionsDist} summary={c.forecast.conversions} kind="count" currency={d.currency} xLabel={`conversions in a ${h}`} />
        </ChartFrame>
        {d.revenueDist.length > 0 ? (
          <ChartFrame
            title={`Revenue in a ${h}${unitSuffix(d.currency)}`}
            caption={
              c.forecast.pLoss === null
                ? `How likely each revenue is over one ${h}; 9 ${h}s in 10 land in the shaded range.`
                : `How likely each revenue is over one ${h}; the chance it falls below the ${currencyFormatter(d.currency, { digits: 0 })(c.forecast.budget)} spent is ${formatProbability(c.forecast.pLoss)}.`
            }
            exportName={`${campaign}-revenue-${h}`}
            data={histogramRecords(d.revenueDist, `revenue per ${h}${unitSuffix(d.currency)}`)}
            json={{ summary: c.forecast.revenue, pLoss: c.forecast.pLoss, budget: c.forecast.budget, points: d.revenueDist }}
            kind="revenue-distribution"
            source={{ datasetId, campaign, horizon: h, budget: c.forecast.budget, currency: d.currency }}
            legend={DISTRIBUTION_LEGEND}
          >
            <DistributionChart points={d.revenueDist} summary={c.forecast.revenue} kind="currency" currency={d.currency} xLabel={`revenue in a ${h}${unitSuffix(d.currency)}`} />
          </ChartFrame>
        ) : (
          <section className="panel">
            <h3 className="chart-title">Revenue in a {h}</h3>
            <p className="muted">This file has no revenue figures, so the forecast is of conversions only.</p>
          </section>
        )}
      </div>
      <CoinSection d={d} datasetId={datasetId} />
      <FiguresSection c={c} currency={d.currency} datasetId={datasetId} unit={unit} />
    </div>
  );
}

function Headline({ d, unit }: { d: CampaignDetail; unit: "day" | "ad" }) {
  const c = d.analysis;
  const f = c.forecast;
  const money0 = currencyFormatter(d.currency, { digits: 0 });
  const h = f.horizon;
  const unitWord = unit === "ad" ? "ad" : "day";
  return (
    <section className="panel" aria-label="Headline figures" data-testid="campaign-headline">
      <div className="grid grid-4 stats">
        <Stat
          label={`Conversions per ${h}`}
          value={formatSig(f.conversions.mean)}
          sub={`9 in 10 ${h}s: ${formatRange(f.conversions.q05, f.conversions.q95, (x) => formatCount(x))}`}
        />
        {hasRevenue(c) ? (
          <Stat label={`Revenue per ${h}`} value={money0(f.revenue.mean)} sub={`9 in 10 ${h}s: ${formatRange(f.revenue.q05, f.revenue.q95, money0)}`} />
        ) : (
          <Stat label={`Revenue per ${h}`} value="–" sub="the file has no revenue" />
        )}
        <Stat label={`Chance of a zero-sale ${unitWord}`} value={formatProbability(f.pZeroDay)} sub={`no sale in a whole ${h}: ${formatProbability(f.pZeroConversions)}`} />
        <Stat
          label="Chance of a losing week"
          value={f.pLosingWeek === null ? "–" : formatProbability(f.pLosingWeek)}
          sub={f.pLoss === null ? "needs revenue figures" : `revenue below spend in a ${h}: ${formatProbability(f.pLoss)}`}
        />
        <Stat label={`Budget per ${h}`} value={money0(f.budget)} sub={`buys about ${plural(f.clicks, "click")}`} />
        <Stat label="Conversion rate" value={c.cvr.observed === null ? "no clicks" : formatPercent(c.cvr.observed)} sub={rateSub(c, unit)} />
        <Stat label={`Swing (CV) per ${h}`} value={formatPercent(f.cv, 0)} sub={hasRevenue(c) ? "sd ÷ mean of revenue" : "sd ÷ mean of conversions"} />
        <Stat
          label="Calibration"
          value={c.calibration.coverage90 !== null && c.calibration.days > 0 ? formatPercent(c.calibration.coverage90, 0) : "–"}
          sub={
            c.calibration.coverage90 !== null && c.calibration.days > 0
              ? `of ${formatCount(c.calibration.days)} ${unitWord}s inside the 90% band`
              : unit === "ad"
                ? "needs dated rows"
                : `too few ${unitWord}s to check`
          }
        />
      </div>
    </section>
  );
}

function Sentences({ d, h }: { d: CampaignDetail; h: Horizon }) {
  if (d.sentences.length === 0) return null;
  return (
    <section className="panel u-mt-16" aria-labelledby="sentences-heading">
      <div className="section-head">
        <h2 className="u-mt-0" id="sentences-heading">
          In plain words
        </h2>
        <ExportButtons
          label="Plain sentences"
          exportName={`${d.campaign}-sentences-${h}`}
          records={sentenceRecords(d.sentences)}
          json={d.sentences}
          kind="sentences"
          source={{ datasetId: d.datasetId, campaign: d.campaign, horizon: h }}
        />
      </div>
      <ul className="sentences" data-testid="campaign-sentences">
        {d.sentences.map((s) => (
          <li key={s} className="sentence">
            {s}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DailySection({ d, datasetName, unit, changes }: { d: CampaignDetail; datasetName: string; unit: "day" | "ad"; changes: ChartChange[] }) {
  if (unit === "ad" || d.daily.length === 0) {
    return (
      <p className="muted u-mt-16">
        {unit === "ad" ? "This file has no dates, so there is no day-by-day chart." : "No daily rows to chart for this campaign."}
      </p>
    );
  }
  const above = d.daily.filter((p) => p.outside === "above").length;
  const below = d.daily.filter((p) => p.outside === "below").length;
  const n = d.daily.filter((p) => p.scored).length;
  const provisional = d.daily.filter((p) => p.provisional);
  const warmup = d.daily.length - n - provisional.length;
  const provisionalOutside = provisional.filter((p) => p.outside !== null).length;
  return (
    <>
      <h2>Day by day</h2>
      <ChartFrame
        title={`${d.campaign}: conversions per day against the noise band`}
        caption={`Each mark is a day. The shaded band is where 9 days in 10 should land given that day's clicks, forecast from the days before it; ${above + below - provisionalOutside} of ${n} complete days (${n > 0 ? formatPercent((above + below - provisionalOutside) / n, 0) : "none"}) fell outside it. About 1 in 10 is what chance alone gives.${warmup > 0 ? ` The first ${warmup} days only teach the model and are not judged.` : ""}${provisional.length > 0 ? ` The last ${plural(provisional.length, "day")} ${provisional.length === 1 ? "is" : "are"} provisional (sales are still being credited to them): each is judged against the sales expected to have arrived so far, and ${provisionalOutside} ${provisionalOutside === 1 ? "falls" : "fall"} outside that band.` : ""}${changes.length > 0 ? ` Dashed lines mark your saved changes (${changes.length}), labelled with their notes.` : ""}`}
        exportName={`${datasetName}-${d.campaign}-daily`}
        data={dailyRecords(d.daily, d.currency)}
        json={d.daily}
        kind="daily-series"
        source={{ datasetId: d.datasetId, campaign: d.campaign }}
        legend={dailyLegend(d.daily, changes)}
      >
        <DailyChart daily={d.daily} changes={changes} />
      </ChartFrame>
      <p className="muted small" data-testid="lag-source">
        {d.lag.note}
      </p>
      {provisional.length > 0 && <ProvisionalTable days={provisional} />}
    </>
  );
}

/** The provisional days: sales so far against their band, how complete they are, and the expected final count. */
function ProvisionalTable({ days }: { days: CampaignDetail["daily"] }) {
  return (
    <table data-testid="provisional-days" className="stack-narrow">
      <caption className="muted small">Provisional days: the sales so far, and where each day is expected to end</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          <th scope="col">Clicks</th>
          <th scope="col">Sales so far</th>
          <th scope="col">Arrived (share of final)</th>
          <th scope="col">90% band for so far</th>
          <th scope="col">Expected final (90% range)</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {days.map((p) => (
          <tr key={p.date}>
            <th scope="row" className="row-head">
              {p.date}
            </th>
            <td>{formatCount(p.clicks)}</td>
            <td>{formatCount(p.conversions)}</td>
            <td>{formatPercent(p.completeness, 0)}</td>
            <td>{formatRange(p.lo90, p.hi90, formatCount)}</td>
            <td>
              {formatSig(p.expectedFinal.mean)} ({formatRange(p.expectedFinal.lo90, p.expectedFinal.hi90, formatCount)})
            </td>
            <td>provisional{p.outside ? `, ${p.outside} the band` : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** sqrt(365): annualized volatility = daily sd x sqrt(365) (coins trade every day), as in lib/engine/coins.ts. */
const SQRT_DAYS = Math.sqrt(365);

function CoinSection({ d, datasetId }: { d: CampaignDetail; datasetId: number }) {
  const refs = d.coin.references;
  const bars = [
    { label: d.campaign.length > 18 ? `${d.campaign.slice(0, 17)}…` : d.campaign, value: d.coin.campaign, campaign: true },
    ...refs.map((r) => ({ label: r.symbol, value: r.annualizedVolatility })),
  ];
  const btc = refs.find((r) => /btc/i.test(r.symbol));
  const campaignVol = d.coin.campaign;
  const caption =
    campaignVol === null
      ? "This campaign has no revenue figures (or fewer than two days with spend), so it has no daily surprise to compare."
      : `Compared like with like: on a typical day this campaign's revenue lands ${formatPercent(campaignVol / SQRT_DAYS, 0)} away from what that day's spend brings on average${
          btc ? `, while ${btc.symbol}'s price moves ${formatPercent(btc.annualizedVolatility / SQRT_DAYS, 1)} a day` : ""
        }; annualized (× √365, the way a coin's volatility is quoted) that is ${formatPercent(campaignVol, 0)}${
          btc ? ` against ${formatPercent(btc.annualizedVolatility, 0)}` : ""
        }, and how profitable the campaign is does not enter it.`;
  return (
    <>
      <h2>The campaign as a coin</h2>
      <ChartFrame
        title="How bumpy are the days? Annualized volatility"
        caption={caption}
        exportName={`${d.campaign}-coin-volatility`}
        data={coinRecords(d)}
        json={d.coin}
        kind="coin-volatility"
        source={{ datasetId, campaign: d.campaign }}
        legend={[
          ...(campaignVol === null ? [] : [{ label: "This campaign (daily revenue against what its spend brings)", color: PALETTE.orange, shape: "square" as const }]),
          { label: "Coins (daily price moves)", color: PALETTE.blue, shape: "square" },
        ]}
        footer={
          refs.length > 0 && (
            <ul className="small muted sources">
              {refs.map((r) => (
                <li key={r.symbol}>
                  {r.symbol}: {r.period}; source: {r.source}
                </li>
              ))}
            </ul>
          )
        }
      >
        <CoinChart bars={bars} />
      </ChartFrame>
    </>
  );
}

/**
 * The conversion rate card's line: the period's interval, and, when the forecast runs at a rate that has moved away
 * from the period's average (a drifting rate forecast from its current level; for rows that are not days, the rate
 * of the rows as the model reads them, with more conversions than clicks capped), that rate, so that the forecast's
 * conversions per click are not read against the average.
 */
function rateSub(c: CampaignAnalysis, unit: "day" | "ad"): string {
  const interval = `${unit === "day" ? "over the whole period" : "over all its rows"}; 90% interval ${formatPercentRange(c.cvr.lo90, c.cvr.hi90)}`;
  const f = c.forecast;
  const now = f.clicks > 0 ? f.conversions.mean / f.clicks : null;
  if (now === null || !Number.isFinite(now) || Math.abs(now / c.cvr.mean - 1) < 0.05) return interval;
  return `${interval}; the forecast uses ${unit === "day" ? "the rate of recent days" : "the rows' rate as modelled"}, about ${formatPercent(now)}`;
}

const ORDER_SOURCE: Record<CampaignAnalysis["orderValue"]["source"], string> = {
  orders: "from the order list",
  "daily-revenue": "estimated from daily revenue",
  fallback: "a default spread (too little data to estimate it)",
  none: "no revenue in the file",
};

const DISPERSION: Record<CampaignAnalysis["dispersion"]["model"], string> = {
  binomial: "days vary as much as chance predicts (binomial)",
  poisson: "days vary as much as chance predicts (Poisson)",
  negbin: "days vary more than chance alone (negative binomial)",
};

function FiguresSection({ c, currency, datasetId, unit }: { c: CampaignAnalysis; currency: string | null; datasetId: number; unit: "day" | "ad" }) {
  const money = currencyFormatter(currency);
  const unitWord = unit === "ad" ? "ads" : "days";
  const rows: [string, string, string][] = [
    [
      "Calibration",
      c.calibration.coverage90 !== null && c.calibration.days > 0
        ? `${formatPercent(c.calibration.coverage90, 0)} / ${formatPercent(c.calibration.coverage80, 0)} / ${formatPercent(c.calibration.coverage50, 0)}`
        : "not checked",
      c.calibration.coverage90 !== null && c.calibration.days > 0
        ? `share of ${formatCount(c.calibration.days)} ${unitWord} inside the 90% / 80% / 50% bands forecast one step ahead (ideal 90 / 80 / 50)`
        : unit === "ad"
          ? "needs dated rows: each day is forecast from the days before it"
          : "too little history to forecast days one step ahead",
    ],
    ["Ranked probability score", formatSig(c.calibration.rps), "forecast sharpness and accuracy; lower is better"],
    [
      "Day-to-day spread",
      DISPERSION[c.dispersion.model],
      c.dispersion.phi === null
        ? "too few rows to test whether days vary more than chance"
        : `Pearson dispersion ${formatNumber(c.dispersion.phi, 2)} (1 = pure chance), p = ${formatProbability(c.dispersion.pValue)}${c.dispersion.r !== undefined ? `; r = ${formatSig(c.dispersion.r)}` : ""}`,
    ],
    ["Order value", hasRevenue(c) ? money(c.orderValue.mean) : "–", `${ORDER_SOURCE[c.orderValue.source]}${c.orderValue.count > 0 ? `, ${pluralCount(c.orderValue.count, c.orderValue.source === "orders" ? "order" : "day with sales", c.orderValue.source === "orders" ? "orders" : "days with sales")}` : ""}${c.orderValue.sigma !== null ? `; log-scale spread ${formatNumber(c.orderValue.sigma, 2)}` : ""}`],
    ["Click-through rate", formatPercent(c.ctr.observed), `90% interval ${formatPercentRange(c.ctr.lo90, c.ctr.hi90)} (Jeffreys)`],
    ["Conversion rate, raw", formatPercent(c.cvr.observed), `90% interval ${formatPercentRange(c.cvr.lo90, c.cvr.hi90)} (Jeffreys)`],
    ["Conversion rate, shrunk", formatPercent(c.cvrShrunk.mean), `90% interval ${formatPercentRange(c.cvrShrunk.lo90, c.cvrShrunk.hi90)}, pulled toward the dataset's campaigns`],
    [
      "Totals",
      pluralCount(c.conversions, "conversion"),
      `${pluralCount(c.clicks, "click")}, ${pluralCount(c.impressions, "impression")}, ${money(c.spend)} spent${hasRevenue(c) ? `, ${money(c.revenue)} revenue` : ""} over ${unit === "day" ? plural(c.units, "day") : c.units === 1 ? "one row" : plural(c.units, "ad")}`,
    ],
  ];
  return (
    <section aria-labelledby="figures-heading">
      <div className="section-head">
        <h2 id="figures-heading">The figures behind the forecast</h2>
        <ExportButtons
          label="Campaign figures"
          exportName={`${c.campaign}-figures`}
          records={figureRecords(c, currency)}
          json={c}
          kind="campaign-figures"
          source={{ datasetId, campaign: c.campaign }}
        />
      </div>
      <div className="table-wrap">
        <table data-testid="campaign-figures" className="stack-narrow">
          <thead>
            <tr>
              <th scope="col">Figure</th>
              <th scope="col">Value</th>
              <th scope="col">What it means</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([k, v, note]) => (
              <tr key={k}>
                <th scope="row" className="row-head">
                  {k}
                </th>
                <td>{v}</td>
                <td className="wrap">{note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(c.notes.length > 0 || c.fractional) && (
        <ul className="notes small">
          {c.fractional && <li>Conversions are fractional (attribution), so they are used as pseudo-counts.</li>}
          {c.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
