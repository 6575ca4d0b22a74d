import type { Metadata } from "next";
import Link from "next/link";
import type { CampaignDetail, DatasetAnalysis } from "@/lib/analysis/types";
import {
  currencyFormatter,
  formatCount,
  formatDateTime,
  formatPercent,
  formatPeriod,
  formatProbability,
  formatPercentRange,
  formatRange,
  formatSig,
  formatSourceFormat,
  sourceLabel,
  sourceList,
  plural,
  pluralCount,
} from "@/lib/format";
import { hasRevenue, unitSuffix } from "@/lib/export/report";
import { analysisSearch } from "@/app/_components/analysis-query";
import { readAnalysisQuery, type SearchParams } from "@/app/_components/read-query";
import { SampleBadge, VerdictBadge } from "@/app/_components/badges";
import { acrossAds, analyzeOrMessage, campaignOrMessage, loadDatasetOr404 } from "@/app/_components/load-analysis";
import { PrintButton } from "@/app/_components/print-button";
import { StaticHistogram } from "@/app/_components/static-histogram";
import { PoolingPanel } from "@/app/datasets/[id]/pooling-panel";

export const dynamic = "force-dynamic";

/** Campaign sections beyond this many are summarised in the table only (the report stays printable). */
const MAX_CAMPAIGN_SECTIONS = 25;

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const ds = loadDatasetOr404(id);
  return { title: `Report: ${ds.name}` };
}

export default async function ReportPage({ params, searchParams }: Props) {
  const { id } = await params;
  const ds = loadDatasetOr404(id);
  const { query } = readAnalysisQuery(await searchParams);
  const generatedAt = new Date().toISOString();
  const result = ds.kind === "orders" ? { message: "An order list has no campaigns to forecast; open a performance dataset's report." } : await analyzeOrMessage(ds.id, query);

  return (
    <article className="report" data-testid="report">
      <div className="btn-row no-print u-mb-12">
        <PrintButton />
        <Link className="btn" href={`/datasets/${ds.id}${analysisSearch(query)}`}>
          ← Back to the dataset
        </Link>
      </div>
      <header>
        <h1>
          Noise report: {ds.name} {ds.isSample && <SampleBadge />}
        </h1>
        <dl className="kv small">
          <dt>Period</dt>
          <dd>{formatPeriod(ds.periodStart && ds.periodEnd ? { start: ds.periodStart, end: ds.periodEnd } : null)}</dd>
          <dt>File</dt>
          <dd>
            {ds.fileName} ({ds.summary.formatLabel || formatSourceFormat(ds.format)})
          </dd>
          <dt>Currency</dt>
          <dd>{ds.currency ?? "not stated (plain numbers)"}</dd>
          {ds.sources.length > 1 && (
            <>
              <dt>Sources</dt>
              <dd data-testid="report-sources">
                {"analysis" in result && result.analysis.source !== null
                  ? `${sourceLabel(result.analysis.source)} rows only (the dataset has ${sourceList(ds.sources)})`
                  : `${sourceList(ds.sources)}, counted together (a campaign name in two sources is one campaign)`}
              </dd>
            </>
          )}
          <dt>Forecast horizon</dt>
          <dd>
            one {query.horizon}
            {query.budget !== undefined ? `, budget ${currencyFormatter(ds.currency)(query.budget)} per ${query.horizon}` : ", at each campaign's current spend"}
          </dd>
          <dt>Generated</dt>
          <dd>{formatDateTime(generatedAt)}</dd>
        </dl>
      </header>
      {"message" in result ? (
        <p className="alert warn">{result.message}</p>
      ) : (
        <ReportBody analysis={result.analysis} datasetId={ds.id} query={query} />
      )}
      <p className="small muted report-foot">
        Figures are model estimates: exact compound distributions of conversions and revenue given clicks, conversion rates
        and order values estimated from this file, with their uncertainty mixed in. Ranges are 5% and 95% quantiles.
      </p>
    </article>
  );
}

async function ReportBody({ analysis: a, datasetId, query }: { analysis: DatasetAnalysis; datasetId: number; query: ReturnType<typeof readAnalysisQuery>["query"] }) {
  const money0 = currencyFormatter(a.currency, { digits: 0 });
  const money = currencyFormatter(a.currency);
  const h = a.horizon;
  const unitWord = a.unit === "ad" ? "ads" : "days";
  const shown = a.campaigns.slice(0, MAX_CAMPAIGN_SECTIONS);
  // One at a time: a long report waits its turn in the worker pool instead of filling its queue.
  const details: { c: (typeof shown)[number]; r: Awaited<ReturnType<typeof campaignOrMessage>> }[] = [];
  for (const c of shown) details.push({ c, r: await campaignOrMessage(datasetId, c.campaign, query) });
  return (
    <>
      {acrossAds(a) && (
        <p className="alert warn" data-testid="across-ads">
          This file has no dates: figures are across ads, and a “day” means the average ad.
        </p>
      )}
      <h2>Campaigns</h2>
      <div className="table-wrap">
        <table className="report-table">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Verdict</th>
              <th scope="col" className="num">
                Spend
              </th>
              <th scope="col" className="num">
                Conv.
              </th>
              <th scope="col" className="num">
                Conv. rate (90%)
              </th>
              <th scope="col" className="num">
                Conv. per {h} (5–95%)
              </th>
              <th scope="col" className="num">
                Revenue per {h} (5–95%)
              </th>
              <th scope="col" className="num">
                Zero-sale {a.unit === "ad" ? "ad" : "day"}
              </th>
              <th scope="col" className="num">
                Losing week
              </th>
              <th scope="col" className="num">
                90% band coverage
              </th>
            </tr>
          </thead>
          <tbody>
            {a.campaigns.map((c) => (
              <tr key={c.campaign}>
                <th scope="row" className="row-head">
                  {c.campaign}
                </th>
                <td>
                  <VerdictBadge verdict={c.verdict} withTitle={false} />
                </td>
                <td className="num">{money0(c.spend)}</td>
                <td className="num">{formatCount(c.conversions)}</td>
                <td className="num">
                  {c.cvr.observed === null ? "no clicks" : formatPercent(c.cvr.observed)}
                  <div className="cell-sub">{formatPercentRange(c.cvr.lo90, c.cvr.hi90)}</div>
                </td>
                <td className="num">
                  {formatSig(c.forecast.conversions.mean)}
                  <div className="cell-sub">{formatRange(c.forecast.conversions.q05, c.forecast.conversions.q95, (x) => formatCount(x))}</div>
                </td>
                <td className="num">
                  {hasRevenue(c) ? (
                    <>
                      {money0(c.forecast.revenue.mean)}
                      <div className="cell-sub">{formatRange(c.forecast.revenue.q05, c.forecast.revenue.q95, money0)}</div>
                    </>
                  ) : (
                    "–"
                  )}
                </td>
                <td className="num">{formatProbability(c.forecast.pZeroDay)}</td>
                <td className="num">{c.forecast.pLosingWeek === null ? "–" : formatProbability(c.forecast.pLosingWeek)}</td>
                <td className="num">
                  {c.calibration.coverage90 !== null && c.calibration.days > 0 ? `${formatPercent(c.calibration.coverage90, 0)} of ${formatCount(c.calibration.days)} ${unitWord}` : "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="u-mt-16">
        <PoolingPanel analysis={a} printable />
      </div>

      <h2>Campaign by campaign</h2>
      {details.map(({ c, r }) => (
        <section key={c.campaign} className="report-campaign" aria-label={c.campaign}>
          <h3>
            {c.campaign} <VerdictBadge verdict={c.verdict} withTitle={false} />
          </h3>
          {"detail" in r ? (
            <>
              <ul className="sentences">
                {(r.detail.sentences.includes(c.verdict.text) ? r.detail.sentences : [...r.detail.sentences, c.verdict.text]).map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
              <ReportCharts d={r.detail} h={h} />
            </>
          ) : (
            <>
              <p className="sentence">{c.verdict.text}</p>
              <p className="muted">{r.message}</p>
            </>
          )}
          <p className="small muted">
            Spend {money(c.spend)}, {pluralCount(c.clicks, "click")}, {pluralCount(c.conversions, "conversion")} over{" "}
            {plural(c.units, unitWord.replace(/s$/, ""), unitWord)}.
          </p>
        </section>
      ))}
      {a.campaigns.length > shown.length && (
        <p className="muted">
          {a.campaigns.length - shown.length} more campaigns are in the table above; open them on the dataset page for their
          charts.
        </p>
      )}
      {a.notes.length > 0 && (
        <>
          <h2>Notes</h2>
          <ul className="small">
            {a.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function ReportCharts({ d, h }: { d: CampaignDetail; h: string }) {
  const f = d.analysis.forecast;
  return (
    <div className="report-charts">
      <figure>
        <figcaption className="chart-title small">Conversions in a {h}</figcaption>
        <StaticHistogram points={d.conversionsDist} summary={f.conversions} xLabel={`conversions in a ${h}`} width={340} height={180} title={`Conversions in a ${h}`} />
      </figure>
      {d.revenueDist.length > 0 && (
        <figure>
          <figcaption className="chart-title small">
            Revenue in a {h}
            {unitSuffix(d.currency)}
          </figcaption>
          <StaticHistogram
            points={d.revenueDist}
            summary={f.revenue}
            xLabel={`revenue in a ${h}${unitSuffix(d.currency)}`}
            currency={d.currency}
            width={340}
            height={180}
            title={`Revenue in a ${h}`}
          />
        </figure>
      )}
    </div>
  );
}
