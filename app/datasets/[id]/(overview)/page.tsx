import type { Metadata } from "next";
import Link from "next/link";
import { formatCount, formatDateTime, formatPeriod, formatSourceFormat, currencyFormatter } from "@/lib/format";
import { analysisSearch } from "@/app/_components/analysis-query";
import { readAnalysisQuery, type SearchParams } from "@/app/_components/read-query";
import { UrlAnalysisControls } from "@/app/_components/analysis-controls";
import { SampleBadge } from "@/app/_components/badges";
import { DeleteDatasetButton } from "@/app/_components/delete-dataset-button";
import { JsonDownloadButton } from "@/app/_components/export-buttons";
import { analyseOrMessage, loadDatasetOr404, type LoadedDataset } from "@/app/_components/load-analysis";
import { Stat } from "@/app/_components/stat";
import { CampaignTable } from "../campaign-table";
import { PoolingPanel } from "../pooling-panel";

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
        <AnalysisSection ds={ds} query={query} warning={warning} />
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

async function AnalysisSection({ ds, query, warning }: { ds: LoadedDataset; query: ReturnType<typeof readAnalysisQuery>["query"]; warning: string | null }) {
  const result = await analyseOrMessage(ds.id, query);
  const search = analysisSearch(query);
  const defaultBudgetNote = "each campaign's current spend rate (an amount applies to every campaign)";
  return (
    <>
      <div className="btn-row no-print" style={{ margin: "12px 0 4px" }}>
        <Link className="btn" href={`/reports/${ds.id}${search}`}>
          Printable report
        </Link>
        {"analysis" in result && (
          <JsonDownloadButton
            label="the full analysis"
            text="Full analysis (JSON)"
            exportName={`${ds.name}-analysis-${query.horizon}`}
            data={result.analysis}
            kind="dataset-analysis"
            source={{ datasetId: ds.id, dataset: ds.name, horizon: query.horizon, budget: query.budget ?? null }}
          />
        )}
        <DeleteDatasetButton id={ds.id} name={ds.name} redirectTo="/datasets" />
      </div>

      <h2>Is it noise?</h2>
      <p className="lede">
        For each campaign: what chance alone produces at its spend, and whether what you saw is inside that range. Choose
        how far ahead to look and, if you like, a budget to plan with.
      </p>
      {warning && <p className="alert warn">{warning}</p>}
      <UrlAnalysisControls horizon={query.horizon} budget={query.budget} currency={ds.currency} defaultBudgetNote={defaultBudgetNote} />

      {"message" in result ? (
        <p className="alert warn" role="status">
          {result.message}
        </p>
      ) : (
        <>
          {result.analysis.unit === "ad" && (
            <p className="alert warn">
              This file has no dates, so the figures are across ads: each ad counts as one observation, and a “day” in the
              forecasts means the average ad.
            </p>
          )}
          {result.analysis.notes.length > 0 && (
            <ul className="notes small">
              {result.analysis.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {result.analysis.campaigns.length === 0 ? (
            <p className="alert warn">No campaign in this dataset has enough data to analyse.</p>
          ) : (
            <CampaignTable analysis={result.analysis} budget={query.budget} />
          )}
          <div style={{ marginTop: 16 }}>
            <PoolingPanel analysis={result.analysis} />
          </div>
        </>
      )}
    </>
  );
}
