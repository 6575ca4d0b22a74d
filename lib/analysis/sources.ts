import "server-only";
import type { Db } from "@/db/client";
import { getSourceFigures } from "@/db/queries";
import { uploadSources } from "@/db/uploads";
import type { CampaignInput } from "@/lib/engine/estimate/types";
import { NeumaierAccumulator } from "@/lib/engine/numeric";
import { AppError } from "@/lib/errors";
import { sourceLabel } from "@/lib/format";
import type { SourceSummary } from "./types";

/*
 * Sources (platforms) of a dataset's rows: the filter of an analysis and the "By source" table. Every row carries the
 * source of the upload that wrote it (db/schema.ts SOURCES); a campaign of the same name in two sources is one
 * campaign whose days sum both, and the filter shows each alone.
 */

/**
 * The source key a query's `source` names, matched case-insensitively against the dataset's sources by key
 * ("meta_ads") or label ("Meta"); undefined when the query has none. A name the dataset does not have is refused
 * (`invalid_query`) with the sources it has.
 */
export function resolveSource(db: Db, datasetId: number, wanted: string | undefined): string | undefined {
  if (wanted === undefined) return undefined;
  const sources = datasetSources(db, datasetId);
  const w = wanted.trim().toLowerCase();
  const hit = sources.find((s) => s === w || sourceLabel(s).toLowerCase() === w);
  if (hit !== undefined) return hit;
  const have = sources.map((s) => `${s} (${sourceLabel(s)})`).join(", ");
  throw new AppError(
    "invalid_query",
    `This dataset has no source "${wanted.slice(0, 40)}". Its sources: ${have || "none"}. Give one of them, or leave source out for all.`,
  );
}

/** The sources of a dataset's uploads, in SOURCES order (read from its few upload rows, not its observations). */
export function datasetSources(db: Db, datasetId: number): string[] {
  return uploadSources(db.$client, datasetId);
}

/**
 * The "By source" line of a dataset with one source, from its campaigns' rows as the analysis read them (segments of
 * a day summed): the same figures sourceSummaries reads with SQL (a test holds them equal), without a second pass
 * over the rows. Dated days are counted once across campaigns; revenue is null when no row states it.
 */
export function singleSourceSummary(source: string, inputs: readonly CampaignInput[]): SourceSummary {
  const clicks = new NeumaierAccumulator();
  const conversions = new NeumaierAccumulator();
  const spend = new NeumaierAccumulator();
  const revenue = new NeumaierAccumulator();
  let anyRevenue = false;
  const days = new Set<string>();
  for (const c of inputs) {
    for (const d of c.days) {
      clicks.add(d.clicks);
      conversions.add(d.conversions);
      spend.add(d.spend);
      if (d.revenue !== null) {
        anyRevenue = true;
        revenue.add(d.revenue);
      }
      if (d.date !== null) days.add(d.date);
    }
  }
  return {
    source,
    label: sourceLabel(source),
    clicks: clicks.value,
    conversions: conversions.value,
    spend: spend.value,
    revenue: anyRevenue ? revenue.value : null,
    campaigns: inputs.length,
    days: days.size,
    conversionRate: clicks.value > 0 ? conversions.value / clicks.value : null,
  };
}

/** The dataset's live figures per source, for the "By source" table (all sources, whatever the filter). */
export function sourceSummaries(db: Db, datasetId: number): SourceSummary[] {
  return getSourceFigures(db, datasetId).map((f) => ({
    ...f,
    label: sourceLabel(f.source),
    conversionRate: f.clicks > 0 ? f.conversions / f.clicks : null,
  }));
}
