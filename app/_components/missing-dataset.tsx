import Link from "next/link";

/** The body of a not-found page for a dataset, campaign or report: what is missing, and where to go instead. */
export function MissingDataset({ what }: { what: string }) {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>There is no such {what} here. It may have been deleted, or the address may be mistyped.</p>
      <div className="btn-row">
        <Link className="btn primary" href="/datasets">
          All datasets
        </Link>
        <Link className="btn" href="/upload">
          Upload a report
        </Link>
      </div>
    </div>
  );
}
