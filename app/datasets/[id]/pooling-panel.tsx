import Link from "next/link";
import type { DatasetAnalysis } from "@/lib/analysis/types";
import { hasRevenue, poolingRecords } from "@/lib/export/report";
import { formatNumber, formatPercent, formatPlain, formatRange } from "@/lib/format";
import { ExportButtons } from "@/app/_components/export-buttons";
import { Stat } from "@/app/_components/stat";

/**
 * What pooling would do for budgets like these: the estimated correlation of the campaigns' daily surprises (rho)
 * with its interval, and the coefficient of variation (CV) of one budget's revenue alone, in a pool of 20 and of
 * 1000, with the floor correlation puts under it.
 */
export function PoolingPanel({ analysis: a, printable = false }: { analysis: DatasetAnalysis; printable?: boolean }) {
  const p = a.pooling;
  const r = a.rho;
  const hasRho = r.pairs > 0 && Number.isFinite(r.estimate);
  const poolQuery = new URLSearchParams({ dataset: String(a.datasetId) });
  if (p.cv1 !== null && Number.isFinite(p.cv1)) poolQuery.set("cv", formatPlain(p.cv1, 4));
  if (hasRho) poolQuery.set("rho", formatPlain(r.estimate, 3));
  const poolHref = `/pooling?${poolQuery.toString()}`;
  // Without revenue in the file, each campaign's forecast (and so its CV) is of conversions.
  const measure = a.campaigns.length > 0 && a.campaigns.every((c) => !hasRevenue(c)) ? "conversions" : "revenue";
  return (
    <section className="panel" aria-labelledby="pooling-heading" data-testid="pooling-panel">
      <div className="section-head">
        <h2 className="u-mt-0" id="pooling-heading">
          Pooling: how much steadier would a shared budget be?
        </h2>
        {!printable && (
          <ExportButtons
            label="Pooling summary"
            exportName={`${a.name}-pooling-${a.horizon}`}
            records={poolingRecords(a)}
            json={{ horizon: a.horizon, rho: a.rho, pooling: a.pooling, shrinkage: a.shrinkage }}
            kind="pooling-summary"
            source={{ datasetId: a.datasetId, dataset: a.name, horizon: a.horizon }}
          />
        )}
      </div>
      {p.cv1 !== null && p.cv20 !== null ? (
        <p className="sentence">
          A pool of 20 budgets like yours would bring the {a.horizon}-to-{a.horizon} swing of each budget&apos;s {measure} (its
          coefficient of variation) from <strong>{formatPercent(p.cv1, 0)}</strong> to <strong>{formatPercent(p.cv20, 0)}</strong>
          {p.cv1000 !== null && p.cv1000 < p.cv20 ? (
            <>
              ; a pool of 1,000, to <strong>{formatPercent(p.cv1000, 0)}</strong>
            </>
          ) : null}
          .
        </p>
      ) : (
        <p className="sentence">There is not enough data here to say how much pooling would steady these budgets.</p>
      )}
      <div className="grid grid-4 stats">
        <Stat
          label="Correlation (rho)"
          value={hasRho ? formatNumber(r.estimate, 3) : "–"}
          sub={hasRho ? `90% interval ${formatRange(r.lo, r.hi, (x) => formatNumber(x, 3))}` : a.unit === "ad" ? "needs dates; taken as 0" : "needs two campaigns with common days; taken as 0"}
        />
        <Stat label={`CV alone, per ${a.horizon}`} value={formatPercent(p.cv1, 0)} sub="median campaign" />
        <Stat label="CV in a pool of 20" value={formatPercent(p.cv20, 0)} sub={p.cv1000 === null ? undefined : `1,000: ${formatPercent(p.cv1000, 0)}`} />
        <Stat
          label="Pool for CV under 10%"
          value={p.cv1 === null ? "–" : p.kFor10pct === null ? "unreachable" : formatNumber(p.kFor10pct, 0)}
          sub={p.floorCv === null ? undefined : `floor from correlation: ${formatPercent(p.floorCv, 0)}`}
        />
      </div>
      <p className="small muted u-mt-10">
        Rho is how much the campaigns&apos; good and bad days move together
        {hasRho
          ? ` (${formatNumber(r.pairs, 0)} campaign ${r.pairs === 1 ? "pair" : "pairs"} over ${formatNumber(r.days, 0)} days; 90% interval by a moving-block bootstrap over days)`
          : "; it could not be estimated here, so the figures above take it as 0"}
        . With rho above 0 no pool gets below CV × √rho, because a shock that hits everyone is not averaged away.
        {a.shrinkage.note ? ` ${a.shrinkage.note}` : ""}
      </p>
      {!printable && (
        <p className="u-mb-0">
          <Link href={poolHref}>Explore pool sizes and correlation on the Pooling page →</Link>
        </p>
      )}
    </section>
  );
}
