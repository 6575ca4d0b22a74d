/**
 * The summary of an import, written from its tally (./tally) and the file's layout: figures, period, currency,
 * reconciliation with the file's own totals row, and the warnings and notes (warnings as data, see ./messages).
 */
import type { FileLayout } from "./detect";
import { publicMapping } from "./headers";
import { dateOrderText, dateOrderUncertain, warningText, type ImportWarning } from "./messages";
import { reconcile } from "./reconcile";
import type { ImportTally } from "./tally";
import type { ImportSummary, Reconciliation } from "@/lib/types/ingest";

/** Padded campaign names listed in the warning. */
const PADDED_NAMES_LISTED = 5;

export interface SummaryFacts {
  datasetId: number;
  name: string;
  sha256: string;
  campaigns: number;
  /** The decoder replaced bytes that are not valid UTF-8 (past the part detection read). */
  sawReplacement: boolean;
}

/** The warnings of an import: detection's (but its first-rows currency count), then the import's own. */
function importWarnings(layout: FileLayout, tally: ImportTally, sawReplacement: boolean, reconciliation: Reconciliation | null): ImportWarning[] {
  // the import counts currencies over every row; detection's count (first rows only) gives way to it
  const warnings: ImportWarning[] = layout.warnings.filter((w) => w.code !== "mixed_currencies");
  if (sawReplacement) warnings.push({ code: "replacement_characters" });
  if (tally.rejected > 0) warnings.push({ code: "rows_rejected", count: tally.rejected });
  const counted = (c: { count: number; lines: readonly number[] }) => ({ count: c.count, lines: [...c.lines] });
  if (tally.clicksOverImpressions.count > 0) warnings.push({ code: "clicks_over_impressions", ...counted(tally.clicksOverImpressions) });
  if (tally.unknownImpressions.count > 0) warnings.push({ code: "unknown_impressions", ...counted(tally.unknownImpressions) });
  if (tally.paddedNames.count > 0) {
    const names = [...tally.nameSpellings.entries()]
      .slice(0, PADDED_NAMES_LISTED)
      .map(([name, spellings]) => ({ name, spellings: [...spellings] }));
    warnings.push({
      code: "padded_campaign_names",
      ...counted(tally.paddedNames),
      names,
      moreNames: tally.nameSpellings.size > PADDED_NAMES_LISTED,
    });
  }
  if (tally.conversionsOverClicks.count > 0) warnings.push({ code: "conversions_over_clicks", ...counted(tally.conversionsOverClicks) });
  if (tally.currencies.size > 1) {
    const currencies = [...tally.currencies.entries()].sort((a, b) => b[1] - a[1]).map(([code, rows]) => ({ code, rows }));
    warnings.push({ code: "mixed_currencies", currencies });
  }
  if (reconciliation && !reconciliation.matches) {
    warnings.push({
      code: "totals_mismatch",
      source: reconciliation.source,
      line: reconciliation.line,
      differences: reconciliation.lines
        .filter((l) => !l.matches)
        .map((l) => ({ field: l.field, imported: l.imported, reported: l.reported })),
    });
  }
  return warnings;
}

/** The summary stored with the dataset and shown after an import (before the currency the user may give). */
export function importSummary(layout: FileLayout, tally: ImportTally, facts: SummaryFacts): ImportSummary {
  const d = layout.detection;
  const c = layout.columns;
  const totals = tally.totals;
  const orders = layout.kind === "orders";
  const reconciliation = reconcile(
    tally.totalsRows,
    totals,
    {
      impressions: c.impressions,
      clicks: c.clicks,
      conversions: orders ? -1 : c.conversions,
      spend: c.spend,
      revenue: orders ? c.value : c.revenue,
    },
    layout.decimalMark,
    tally.imported,
  );
  const warnings = importWarnings(layout, tally, facts.sawReplacement, reconciliation);

  const notes: string[] = [];
  const evidence = layout.dateVote.explain();
  if (evidence && !dateOrderUncertain(evidence)) notes.push(dateOrderText(evidence));
  if (tally.footerLines.length > 0) notes.push(`Skipped the footer on line ${tally.footerLines.join(", ")}.`);
  if (reconciliation) {
    if (reconciliation.matches) notes.push(`The imported sums match the file's "${reconciliation.source}" row (line ${reconciliation.line}).`);
    for (const ig of reconciliation.ignored) notes.push(`Not reconciled against "${ig.source}" (line ${ig.line}): ${ig.reason}.`);
  }

  let currency: string | null = null;
  if (tally.currencies.size > 0) currency = [...tally.currencies.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  currency ??= layout.headerCurrency ?? layout.cellCurrency;
  const period =
    tally.periodMin !== null && tally.periodMax !== null
      ? { start: tally.periodMin, end: tally.periodMax }
      : c.date < 0 && layout.preambleRange
        ? { ...layout.preambleRange }
        : null;
  return {
    datasetId: facts.datasetId,
    name: facts.name,
    existing: false,
    sha256: facts.sha256,
    format: d.format,
    formatLabel: d.formatLabel,
    encoding: d.encoding,
    delimiter: d.delimiter,
    mapping: publicMapping(layout.mapping),
    dateOrder: layout.dateVote.seen ? layout.dateVote.order : null,
    kind: layout.kind,
    rowsImported: tally.imported,
    rowsRejected: tally.rejected,
    warnings: warnings.map(warningText),
    notes,
    reconciliation,
    currency,
    period,
    totals,
    campaigns: facts.campaigns,
  };
}
