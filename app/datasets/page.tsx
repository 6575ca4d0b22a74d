import type { Metadata } from "next";
import Link from "next/link";
import { listDatasets } from "@/lib/ingest/datasets";
import { formatCount, formatDateTime, formatPeriod, formatSourceFormat, sourceList } from "@/lib/format";
import { SampleBadge } from "@/app/_components/badges";
import { DeleteDatasetButton } from "@/app/_components/delete-dataset-button";
import { LoadSampleButton } from "@/app/_components/load-sample-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Datasets" };

export default function DatasetsPage() {
  const datasets = listDatasets();
  return (
    <>
      <div className="section-head">
        <h1>Datasets</h1>
        <Link className="btn primary" href="/upload">
          Upload a report
        </Link>
      </div>
      <p className="lede">Every file you imported. Rows that could not be read are kept with the reason and can be downloaded.</p>
      {datasets.length === 0 ? (
        <div className="panel" data-testid="empty-state">
          <p>No datasets yet.</p>
          <div className="btn-row">
            <LoadSampleButton />
            <Link className="btn" href="/upload">
              Upload a report
            </Link>
          </div>
        </div>
      ) : (
        <div className="table-wrap">
          <table data-testid="datasets-table">
            <caption className="sr-only">Imported datasets</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Format</th>
                <th scope="col" className="num">
                  Rows imported
                </th>
                <th scope="col" className="num">
                  Rows rejected
                </th>
                <th scope="col">Period</th>
                <th scope="col">Imported</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link href={`/datasets/${d.id}`}>{d.name}</Link> {d.isSample && <SampleBadge />}
                    <div className="cell-sub">{d.fileName}</div>
                  </td>
                  <td>{d.sources.length > 1 ? sourceList(d.sources) : formatSourceFormat(d.format)}</td>
                  <td className="num">{formatCount(d.rowsImported)}</td>
                  <td className="num">
                    {d.rowsRejected > 0 ? (
                      <a href={`/api/datasets/${d.id}/rejected.csv`} download aria-label={`Download the ${d.rowsRejected} rejected rows of ${d.name} (CSV)`}>
                        {formatCount(d.rowsRejected)} (CSV)
                      </a>
                    ) : (
                      "0"
                    )}
                  </td>
                  <td>{formatPeriod(d.periodStart && d.periodEnd ? { start: d.periodStart, end: d.periodEnd } : null)}</td>
                  <td>{formatDateTime(d.createdAt)}</td>
                  <td>
                    <DeleteDatasetButton id={d.id} name={d.name} compact />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
