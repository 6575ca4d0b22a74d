"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { apiErrorMessage } from "@/app/_components/api-error";

type Rejected = { line: number; reason: string };

/**
 * Uploads a Days-to-conversion report for a dataset (POST /api/datasets/:id/lag-report), says what was read and which
 * rows were not, and removes the stored report (DELETE); the page is refreshed so the card shows the new curve.
 */
export function LagReportUpload({ datasetId, current }: { datasetId: number; current: string | null }) {
  const router = useRouter();
  const inputId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ buckets: number; rejected: Rejected[] } | null>(null);
  const [, startTransition] = useTransition();

  const send = async (file: File) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const res = await fetch(`/api/datasets/${datasetId}/lag-report?fileName=${encodeURIComponent(file.name)}`, {
        method: "POST",
        headers: { "content-type": file.type || "text/csv" },
        body: file,
      });
      if (!res.ok) throw new Error(await apiErrorMessage(res));
      const body = (await res.json()) as { buckets: unknown[]; rejected: Rejected[] };
      setDone({ buckets: body.buckets.length, rejected: body.rejected });
      startTransition(() => router.refresh());
    } catch (e) {
      setError(e instanceof Error ? e.message : "The report could not be read.");
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/datasets/${datasetId}/lag-report`, { method: "DELETE" });
      if (!res.ok && res.status !== 404) throw new Error(await apiErrorMessage(res));
      setDone(null);
      startTransition(() => router.refresh());
    } catch (e) {
      setError(e instanceof Error ? e.message : "The report could not be removed.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="no-print" data-testid="lag-report-upload">
      <label htmlFor={inputId} className="small">
        {current ? "Replace the Days-to-conversion report" : "Add a Days-to-conversion report"} (CSV: Google Ads, or two columns days, conversions)
      </label>
      <div className="btn-row" style={{ marginTop: 6 }}>
        <input
          id={inputId}
          type="file"
          accept=".csv,.tsv,.txt,text/csv,text/plain"
          disabled={busy}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void send(f);
            e.target.value = "";
          }}
        />
        {current && (
          <button type="button" className="btn small" onClick={() => void remove()} disabled={busy}>
            Remove the report
          </button>
        )}
      </div>
      {busy && (
        <p className="muted small" role="status">
          Reading…
        </p>
      )}
      {error && (
        <p role="alert" className="small u-error-text">
          {error}
        </p>
      )}
      {done && (
        <div className="small" role="status" data-testid="lag-report-result">
          Read {done.buckets} {done.buckets === 1 ? "bucket" : "buckets"}
          {done.rejected.length > 0 ? `; ${done.rejected.length} ${done.rejected.length === 1 ? "row" : "rows"} could not be read:` : "."}
          {done.rejected.length > 0 && (
            <ul className="notes">
              {done.rejected.slice(0, 5).map((r) => (
                <li key={r.line}>
                  line {r.line}: {r.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
