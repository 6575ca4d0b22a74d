"use client";

import Link from "next/link";
import { useEffect } from "react";

/** A friendly message when the dataset page fails; the internal error is only logged (never shown). */
export default function DatasetError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="panel" role="alert">
      <h1>We could not show this dataset</h1>
      <p>
        Something went wrong while computing its figures. Your data is safe: nothing was changed. Try again, or go back to
        the list.
      </p>
      <div className="btn-row">
        <button type="button" className="btn primary" onClick={() => retry()}>
          Try again
        </button>
        <Link className="btn" href="/datasets">
          All datasets
        </Link>
      </div>
    </div>
  );
}
