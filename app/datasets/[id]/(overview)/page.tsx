import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import type { CampaignTableData, DatasetSummary } from "@/lib/analysis/types";
import { formatCount, formatDateTime, formatFixed, formatPeriod, formatSourceFormat, currencyFormatter, sourceLabel, sourceList } from "@/lib/format";
import { analysisSearch } from "@/app/_components/analysis-query";
import { readAnalysisQuery, type SearchParams } from "@/app/_components/read-query";
import { UrlAnalysisControls } from "@/app/_components/analysis-controls";
import { SampleBadge } from "@/app/_components/badges";
import { DeleteDatasetButton } from "@/app/_components/delete-dataset-button";
import { JsonDownloadButton } from "@/app/_components/export-buttons";
import { acrossAds, analyzeOrMessage, loadDatasetOr404, summaryOrMessage, type LoadedDataset } from "@/app/_components/load-analysis";
import { Stat } from "@/app/_components/stat";
import { CampaignTable } from "../campaign-table";
import { LagCard } from "../lag-card";
import { PoolingPanel } from "../pooling-panel";
import { BySourceTable, SourceSwitch } from "../sources-panel";
import { UploadsPanel } from "../uploads-panel";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const ds = loadDatasetOr404(id);
  return { title: ds.name };
}

export default async function DatasetPage({ params, searchParams }: Props) {
  const { id } = await params;
  const ds = loadDatasetOr404(id);
  const { query, warning } = readAnalysisQuery(await searchParams);

  return (
    <>
      <DatasetHeader ds={ds} />
      {ds.kind === "orders" ? (
        <OrdersDataset ds={ds} />
      ) : (
        <>
          <AnalysisSection ds={ds} query={query} warning={warning} />
          <UploadsPanel datasetId={ds.id} currency={ds.currency} />
        </>
      )}
    </>
  );
}

function DatasetHeader({ ds }: { ds: LoadedDataset }) {
  return (
    <header className="page-head">
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <Link href="/datasets">Datasets</Link> / <span aria-current="page">{ds.name}</span>
      </nav>
      <h1>
        {ds.name} {ds.isSample && <SampleBadge />}
      </h1>
      <dl className="kv small" data-testid="dataset-meta">
        <dt>File</dt>
        <dd>{ds.fileName}</dd>
        <dt>Format</dt>
        <dd>{ds.summary.formatLabel || formatSourceFormat(ds.format)}</dd>
        {ds.sources.length > 1 && (
          <>
            <dt>Sources</dt>
            <dd data-testid="dataset-sources">{sourceList(ds.sources)}</dd>
          </>
        )}
        <dt>Period</dt>
        <dd>{formatPeriod(ds.periodStart && ds.periodEnd ? { start: ds.periodStart, end: ds.periodEnd } : null)}</dd>
        <dt>Currency</dt>
        <dd>{ds.currency ?? "not stated in the file (amounts shown as plain numbers)"}</dd>
        <dt>Rows</dt>
        <dd>
          {formatCount(ds.rowsImported)} imported
          {ds.rowsRejected > 0 ? (
            <>
              , {formatCount(ds.rowsRejected)} could not be read (
              <a href={`/api/datasets/${ds.id}/rejected.csv`} download>
                download them
              </a>
              )
            </>
          ) : (
            ", none rejected"
          )}
        </dd>
        <dt>Imported</dt>
        <dd>{formatDateTime(ds.createdAt)}</dd>
      </dl>
    </header>
  );
}

function OrdersDataset({ ds }: { ds: LoadedDataset }) {
  const money = currencyFormatter(ds.currency);
  return (
    <section className="panel" style={{ marginTop: 16 }}>
      <h2 style={{ marginTop: 0 }}>An order list</h2>
      <p>
        This file lists individual sales. It has no clicks or spend to forecast from; instead it gives the order-value
        distribution to the campaigns of the same names in your performance datasets.
      </p>
      <div className="grid grid-3">
        <Stat label="Orders" value={formatCount(ds.rowsImported)} />
        <Stat label="Campaigns" value={formatCount(ds.campaigns)} />
        <Stat label="Order value, total" value={money(ds.totals.revenue)} />
      </div>
      <div className="btn-row" style={{ marginTop: 14 }}>
        <Link className="btn" href="/datasets">
          All datasets
        </Link>
        <DeleteDatasetButton id={ds.id} name={ds.name} redirectTo="/datasets" />
      </div>
    </section>
  );
}

type Query = ReturnType<typeof readAnalysisQuery>["query"];

/**
 * The analysis streams in two parts: the campaign table (figures, forecasts, verdicts: `analysisSummary`, without the
 * rolling calibration) is rendered at once as the fallback of a Suspense boundary, and the full analysis
 * (calibration, correlation, pooling summary) replaces it when ready. When the full analysis is already cached, the
 * summary is taken from it and the boundary resolves at once.
 */
async function AnalysisSection({ ds, query, warning }: { ds: LoadedDataset; query: Query; warning: string | null }) {
  const first = await summaryOrMessage(ds.id, query);
  const search = analysisSearch(query);
  const defaultBudgetNote = "each campaign's current spend rate (an amount applies to every campaign)";
  return (
    <>
      <div className="btn-row no-print" style={{ margin: "12px 0 4px" }}>
        <Link className="btn" href={`/reports/${ds.id}${search}`}>
          Printable report
        </Link>
        <DeleteDatasetButton id={ds.id} name={ds.name} redirectTo="/datasets" />
      </div>

      <h2>Is it noise?</h2>
      <p className="lede">
        For each campaign: what chance alone produces at its spend, and whether what you saw is inside that range. Choose
        how far ahead to look and, if you like, a budget to plan with.
      </p>
      {warning && <p className="alert warn">{warning}</p>}
      <SourceSwitch sources={ds.sources} query={query} basePath={`/datasets/${ds.id}`} />
      <UrlAnalysisControls
        horizon={query.horizon}
        budget={query.budget}
        currency={ds.currency}
        defaultBudgetNote={defaultBudgetNote}
        source={query.source}
      />

      {"message" in first ? (
        <p className="alert warn" role="status">
          {first.message}
        </p>
      ) : (
        <Suspense fallback={<SummaryPart summary={first.summary} budget={query.budget} />}>
          <FullPart ds={ds} query={query} />
        </Suspense>
      )}
    </>
  );
}

/** Notes on what the rows are (ads without dates, rows that cover a period) and the analysis's own notes. */
function AnalysisNotes({ a }: { a: CampaignTableData & Pick<DatasetSummary, "notes" | "rowSpan"> }) {
  return (
    <>
      {a.source !== null && (
        <p className="alert info" role="status" data-testid="source-filter-note">
          Showing {sourceLabel(a.source)} rows only: figures, forecasts and verdicts below are of that platform alone.
        </p>
      )}
      <BySourceTable sources={a.sources} currency={a.currency} selected={a.source} />
      {acrossAds(a) && (
        <p className="alert warn" data-testid="across-ads">
          This file has no dates, so the figures are across ads: each ad counts as one observation, and a “day” in the
          forecasts means the average ad.
        </p>
      )}
      {a.rowSpan && (
        <p className="alert warn" data-testid="row-span">
          Each row of this file covers {Number.isInteger(a.rowSpan.days) ? a.rowSpan.days : formatFixed(a.rowSpan.days, 1)} days (
          {formatPeriod({ start: a.rowSpan.start, end: a.rowSpan.end })}): figures per day are a row&apos;s divided by its days, and
          forecasts are for the chosen horizon at that spend per day.
        </p>
      )}
      {a.notes.length > 0 && (
        <ul className="notes small">
          {a.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}

function CampaignsOrNone({ a, budget }: { a: CampaignTableData; budget: number | undefined }) {
  return a.campaigns.length === 0 ? (
    <p className="alert warn">No campaign in this dataset has enough data to analyze.</p>
  ) : (
    <CampaignTable analysis={a} budget={budget} />
  );
}

/** How many of the campaigns' flags chance explains, and which survive the false discovery rate. */
function FlagsNote({ m }: { m: DatasetSummary["multipleTesting"] }) {
  if (m.judged < 2) return null;
  return (
    <p className="small" data-testid="flags-fdr" style={{ marginTop: 8 }}>
      {m.text}
      {m.survivors.length > 0 && <> Flags that remain: {m.survivors.join(", ")}.</>}
    </p>
  );
}

/** The first part: the campaign table, while the calibration and pooling summary are worked out. */
function SummaryPart({ summary, budget }: { summary: DatasetSummary; budget: number | undefined }) {
  return (
    <div aria-busy="true">
      <AnalysisNotes a={summary} />
      <CampaignsOrNone a={summary} budget={budget} />
      <FlagsNote m={summary.multipleTesting} />
      <p className="muted small" role="status" style={{ marginTop: 16 }}>
        Checking each campaign&apos;s noise band against its own history and working out what pooling would do…
      </p>
      <div className="skeleton" style={{ height: 160 }} />
    </div>
  );
}

/** The whole analysis: the table with its calibration column, the JSON export and the pooling panel. */
async function FullPart({ ds, query }: { ds: LoadedDataset; query: Query }) {
  const result = await analyzeOrMessage(ds.id, query);
  if ("message" in result) {
    return (
      <p className="alert warn" role="status">
        {result.message}
      </p>
    );
  }
  const a = result.analysis;
  return (
    <>
      <div className="btn-row no-print" style={{ margin: "4px 0" }}>
        <JsonDownloadButton
          label="the full analysis"
          text="Full analysis (JSON)"
          exportName={`${ds.name}-analysis-${query.horizon}`}
          data={a}
          kind="dataset-analysis"
          source={{ datasetId: ds.id, dataset: ds.name, horizon: query.horizon, budget: query.budget ?? null }}
        />
      </div>
      <AnalysisNotes a={a} />
      <CampaignsOrNone a={a} budget={query.budget} />
      <FlagsNote m={a.multipleTesting} />
      <LagCard datasetId={ds.id} lag={a.lag} />
      <div style={{ marginTop: 16 }}>
        <PoolingPanel analysis={a} />
      </div>
    </>
  );
}
