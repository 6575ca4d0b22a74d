import type { LagSummary } from "@/lib/analysis/types";
import { formatDate, formatNumber, formatPercent } from "@/lib/format";
import { lagReportOf } from "@/lib/ingest/lag-report-service";
import { LagChart } from "./lag-chart";
import { LagReportUpload } from "./lag-report-upload";

/**
 * The "Conversion lag" card: the completeness curve F(age) with its 90% band, where it comes from in one sentence,
 * and the control to add (or remove) a Days-to-conversion report.
 */
/**
 * What the newest day of the rows holds: F(its age) of its final conversions, or, when it is older than the
 * provisional window, that no day is provisional.
 */
function newestNote(lag: LagSummary): string {
  const age = lag.newestAge ?? 0;
  if (age >= lag.horizon) return `; this dataset has none, its newest day being ${formatNumber(age, 0)} days old`;
  const f = lag.completeness[Math.min(age, lag.completeness.length - 1)]!.fraction;
  return `: the newest day${age > 0 ? ` (${age} ${age === 1 ? "day" : "days"} old)` : ""} holds about ${formatPercent(f, 0)} of its final conversions`;
}

export function LagCard({ datasetId, lag }: { datasetId: number; lag: LagSummary }) {
  const report = lagReportOf(datasetId);
  return (
    <section className="panel" style={{ marginTop: 16 }} data-testid="lag-card">
      <h2 style={{ marginTop: 0 }}>Conversion lag</h2>
      <p data-testid="lag-card-source">{lag.sentence}</p>
      {lag.completeness.length > 0 && (
        <>
          <LagChart points={lag.completeness} />
          <p className="muted small">
            The share of a day&apos;s final conversions that have arrived, by the day&apos;s age
            {lag.source === "report" || lag.source === "exports" ? ", with its 90% band" : ""}. Days younger than {lag.horizon} days
            {lag.asOf ? ` (counted from ${formatDate(lag.asOf)})` : ""} are provisional{newestNote(lag)}.
            {lag.campaigns.length > 0 && ` ${lag.campaigns.map((c) => c.campaign).join(", ")} ${lag.campaigns.length === 1 ? "has" : "have"} a curve of its own.`}
          </p>
        </>
      )}
      {report && (
        <p className="small">
          Report on file: {report.fileName}, {report.buckets.length} buckets
          {report.rejected.length > 0 ? `, ${report.rejected.length} rows could not be read` : ""}.
        </p>
      )}
      <LagReportUpload datasetId={datasetId} current={report?.fileName ?? null} />
    </section>
  );
}
