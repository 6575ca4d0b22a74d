import Link from "next/link";

/** The dataset a report is asked for does not exist, or was deleted. */
export default function ReportNotFound() {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>There is no such dataset to report on. It may have been deleted, or the address may be mistyped.</p>
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
