import Link from "next/link";

/** The dataset (or campaign) in the address does not exist, or was deleted. */
export default function DatasetNotFound() {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>There is no such dataset or campaign here. It may have been deleted, or the address may be mistyped.</p>
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
