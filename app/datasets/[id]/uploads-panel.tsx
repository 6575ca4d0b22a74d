import Link from "next/link";
import { datasetUploads } from "@/lib/ingest/datasets";
import { currencyFormatter, formatCount, formatDateTime, formatNumber, formatPeriod } from "@/lib/format";
import { RemoveUploadButton } from "./remove-upload-button";

/**
 * The files imported into a dataset, newest first, with what each changed (rows added and replaced, the dataset's
 * rows, conversions and spend before and after), a button to remove each later one, and the way to add a newer export.
 */
export function UploadsPanel({ datasetId, currency }: { datasetId: number; currency: string | null }) {
  const uploads = datasetUploads(datasetId) ?? [];
  const money = currencyFormatter(currency);
  return (
    <section className="panel no-print" style={{ marginTop: 16 }} data-testid="dataset-uploads">
      <h2 style={{ marginTop: 0 }}>Uploads</h2>
      <p className="muted small">
        Each export added to this dataset replaces its own platform&apos;s rows for the same date, campaign and segment;
        another platform&apos;s rows are added beside, never replaced. The older rows are kept, and removing an upload
        brings them back.
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Imported</th>
              <th scope="col">Period</th>
              <th scope="col" className="num">Added</th>
              <th scope="col" className="num">Replaced</th>
              <th scope="col" className="num">Rows before → after</th>
              <th scope="col" className="num">Conversions before → after</th>
              <th scope="col" className="num">Spend before → after</th>
              <th scope="col">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {uploads.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.fileName}
                  {u.backfill ? " (back-fill)" : ""}
                </td>
                <td>{formatDateTime(u.importedAt)}</td>
                <td>{formatPeriod(u.period)}</td>
                <td className="num">{formatCount(u.rowsAdded)}</td>
                <td className="num">{formatCount(u.rowsReplaced)}</td>
                <td className="num">
                  {formatCount(u.totalsBefore.rows)} → {formatCount(u.totalsAfter.rows)}
                </td>
                <td className="num">
                  {formatNumber(u.totalsBefore.conversions, 2)} → {formatNumber(u.totalsAfter.conversions, 2)}
                </td>
                <td className="num">
                  {money(u.totalsBefore.spend)} → {money(u.totalsAfter.spend)}
                </td>
                <td>{u.first ? <span className="muted small">made the dataset</span> : <RemoveUploadButton datasetId={datasetId} uploadId={u.id} fileName={u.fileName} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="btn-row" style={{ marginTop: 12 }}>
        <Link className="btn primary" href={`/upload?into=${datasetId}`} data-testid="add-newer-export">
          Add a newer export
        </Link>
      </div>
    </section>
  );
}
