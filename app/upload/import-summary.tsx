import Link from "next/link";
import { Stat } from "@/app/_components/stat";
import type { ImportSummary } from "@/lib/types/ingest";
import { currencyFormatter, formatCount, formatNumber, formatPeriod, plural } from "@/lib/format";

/** The last step: what was imported, the check against the file's own totals, and where to go next. */
export function ImportSummaryView({ summary: s, onAnother }: { summary: ImportSummary; onAnother: () => void }) {
  const money = currencyFormatter(s.currency);
  return (
    <div className="panel" data-testid="import-summary" aria-live="polite">
      <div className={`alert ${s.rowsRejected > 0 ? "warn" : "ok"}`}>
        {s.upload && s.existing
          ? "This file was already added to this dataset: nothing changed."
          : s.existing
            ? "This file was imported before: here is the same dataset."
            : "Done:"}{" "}
        {plural(s.rowsImported, "row")} {s.upload && !s.existing ? "read from the file" : "imported"}
        {s.rowsRejected > 0
          ? `, ${plural(s.rowsRejected, "row")} could not be read (kept, with the reason)`
          : ", none rejected"}
        .
      </div>
      {s.upload && <UploadChangeView summary={s} />}
      <div className="grid grid-4">
        <Stat label="Campaigns" value={formatCount(s.campaigns)} small />
        <Stat label="Period" value={formatPeriod(s.period)} small />
        <Stat label="Spend" value={money(s.totals.spend)} small />
        <Stat label="Conversions" value={formatCount(s.totals.conversions)} small />
        <Stat label="Impressions" value={formatCount(s.totals.impressions)} small />
        <Stat label="Clicks" value={formatCount(s.totals.clicks)} small />
        <Stat label="Revenue" value={money(s.totals.revenue)} small />
        <Stat label="Format" value={s.formatLabel} small />
      </div>
      {s.warnings.length > 0 && (
        <>
          <h3>Warnings</h3>
          <ul>
            {s.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      )}
      {s.reconciliation && (
        <>
          <h3>Check against the file&apos;s own totals ({s.reconciliation.source})</h3>
          <div className="table-wrap">
            <table data-testid="reconciliation">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col" className="num">Imported</th>
                  <th scope="col" className="num">File says</th>
                  <th scope="col">Match</th>
                </tr>
              </thead>
              <tbody>
                {s.reconciliation.lines.map((l) => (
                  <tr key={l.field}>
                    <td>{l.field}</td>
                    <td className="num">{formatNumber(l.imported, 2)}</td>
                    <td className="num">{formatNumber(l.reported, 2)}</td>
                    <td>{l.matches ? "✓ matches" : `✗ differs by ${formatNumber(l.difference, 2)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {s.reconciliation.ignored.map((i) => (
            <p key={i.source} className="muted small">
              Not used: {i.source} (line {i.line}): {i.reason}
            </p>
          ))}
        </>
      )}
      <div className="btn-row panel-actions">
        <Link className="btn primary" href={`/datasets/${s.datasetId}`}>
          Open the dataset
        </Link>
        {s.rowsRejected > 0 && (
          <a className="btn" href={`/api/datasets/${s.datasetId}/rejected.csv`} download>
            Download the {plural(s.rowsRejected, "rejected row")} (CSV)
          </a>
        )}
        <button type="button" className="btn" onClick={onAnother}>
          Upload another file
        </button>
      </div>
    </div>
  );
}

/** What an export added to an existing dataset changed there: rows added and replaced, totals before and after. */
function UploadChangeView({ summary: s }: { summary: ImportSummary }) {
  const u = s.upload!;
  const money = currencyFormatter(s.currency);
  const rows: [string, string, string][] = [
    ["Rows", formatCount(u.totalsBefore.rows), formatCount(u.totalsAfter.rows)],
    ["Clicks", formatCount(u.totalsBefore.clicks), formatCount(u.totalsAfter.clicks)],
    ["Conversions", formatNumber(u.totalsBefore.conversions, 2), formatNumber(u.totalsAfter.conversions, 2)],
    ["Spend", money(u.totalsBefore.spend), money(u.totalsAfter.spend)],
    ["Revenue", money(u.totalsBefore.revenue), money(u.totalsAfter.revenue)],
  ];
  return (
    <div data-testid="upload-change">
      <p>
        {s.existing ? (
          u.rule
        ) : (
          <>
            <strong>{plural(u.rowsAdded, "row")} added</strong>, <strong>{plural(u.rowsReplaced, "row")} replaced</strong>
            {u.backfill ? " (a back-fill)" : ""}. {u.rule}
          </>
        )}
      </p>
      {!s.existing && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">The dataset</th>
                <th scope="col" className="num">Before</th>
                <th scope="col" className="num">After</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([label, before, after]) => (
                <tr key={label}>
                  <td>{label}</td>
                  <td className="num">{before}</td>
                  <td className="num">{after}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
