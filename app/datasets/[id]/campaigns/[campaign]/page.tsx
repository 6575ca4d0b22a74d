import type { Metadata } from "next";
import Link from "next/link";
import { analysisSearch, campaignCandidates } from "@/app/_components/analysis-query";
import { readAnalysisQuery, type SearchParams } from "@/app/_components/read-query";
import { SampleBadge, VerdictBadge } from "@/app/_components/badges";
import { campaignOrMessage, datasetUnit, loadDatasetOr404 } from "@/app/_components/load-analysis";
import { listChanges } from "@/lib/analysis/changes";
import { formatPeriod, sourceLabel } from "@/lib/format";
import { CampaignView } from "./campaign-view";
import { DidItWork } from "./did-it-work";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string; campaign: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { campaign } = await params;
  const names = campaignCandidates(campaign);
  return { title: names[names.length - 1] ?? "Campaign" };
}

export default async function CampaignPage({ params, searchParams }: Props) {
  const { id, campaign: segment } = await params;
  const ds = loadDatasetOr404(id);
  const sp = await searchParams;
  const { query, warning } = readAnalysisQuery(sp);
  const change = typeof sp.change === "string" && sp.change !== "" ? sp.change : null;
  const result = await campaignOrMessage(ds.id, segment, query);
  // The analysis's own unit where there is one: rows covering a period each are not days, though the dataset has dates.
  const unit = "detail" in result ? result.detail.unit : datasetUnit(ds);
  const back = `/datasets/${ds.id}${analysisSearch(query)}`;
  const name = "detail" in result ? result.detail.campaign : (campaignCandidates(segment).at(-1) ?? segment);
  const changes = "detail" in result && unit === "day" ? listChanges(ds.id, result.detail.campaign) : [];

  return (
    <>
      <header className="page-head">
        <nav aria-label="Breadcrumb" className="breadcrumbs">
          <Link href="/datasets">Datasets</Link> / <Link href={back}>{ds.name}</Link> / <span aria-current="page">{name}</span>
        </nav>
        <h1>
          {name} {ds.isSample && <SampleBadge />}
        </h1>
        <p className="muted small u-mt-0">
          {ds.name} · {formatPeriod(ds.periodStart && ds.periodEnd ? { start: ds.periodStart, end: ds.periodEnd } : null)}
          {ds.currency ? ` · ${ds.currency}` : ""}
        </p>
        {"detail" in result && (
          <p className="sentence verdict-line" data-testid="campaign-verdict">
            <VerdictBadge verdict={result.detail.analysis.verdict} withTitle={false} /> {result.detail.analysis.verdict.text}
          </p>
        )}
        <div className="btn-row no-print">
          <Link className="btn" href={back}>
            ← All campaigns
          </Link>
          <Link className="btn" href={`/reports/${ds.id}${analysisSearch(query)}`}>
            Printable report
          </Link>
        </div>
      </header>
      {warning && <p className="alert warn">{warning}</p>}
      {"detail" in result && result.detail.source !== null && (
        <p className="alert info" role="status" data-testid="source-filter-note">
          Showing {sourceLabel(result.detail.source)} rows only: the figures below are of that platform alone (
          <Link href={`/datasets/${ds.id}/campaigns/${encodeURIComponent(name)}${analysisSearch({ ...query, source: undefined })}`}>all sources</Link>).
        </p>
      )}
      {unit === "ad" &&
        ("detail" in result && result.detail.analysis.units === 1 ? (
          <p className="alert warn" data-testid="across-ads">
            This file has one row for this campaign, not one a day: its figures come from that row, over its whole period,
            and forecasts are for the same spend over a period like it.
          </p>
        ) : (
          <p className="alert warn" data-testid="across-ads">
            This file has no dates, so the figures are across ads: each ad counts as one observation, and a “day” in the
            forecasts means the average ad.
          </p>
        ))}
      {"message" in result ? (
        <p className="alert warn" role="status">
          {result.message}
        </p>
      ) : (
        <CampaignView
          datasetId={ds.id}
          datasetName={ds.name}
          unit={unit}
          initial={result.detail}
          initialQuery={{ horizon: query.horizon, budget: query.budget, lag: query.lag, asOf: query.asOf, source: query.source }}
          initialChanges={changes}
        />
      )}
      {"detail" in result && unit === "day" && (
        <DidItWork
          datasetId={ds.id}
          campaign={result.detail.campaign}
          change={change}
          period={ds.periodStart && ds.periodEnd ? { start: ds.periodStart, end: ds.periodEnd } : null}
          lag={{ lag: query.lag, asOf: query.asOf, source: query.source }}
          changes={changes}
        />
      )}
    </>
  );
}
