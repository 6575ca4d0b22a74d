"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { apiErrorMessage } from "@/app/_components/api-error";

/** Removes one upload from a dataset after an explicit confirmation step, then refreshes the page. */
export function RemoveUploadButton({ datasetId, uploadId, fileName }: { datasetId: number; uploadId: number; fileName: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [, startTransition] = useTransition();
  const msgId = useId();

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/datasets/${datasetId}/uploads/${uploadId}`, { method: "DELETE" });
      if (!res.ok && res.status !== 404) throw new Error(await apiErrorMessage(res));
      setConfirming(false);
      startTransition(() => router.refresh());
    } catch (e) {
      setError(e instanceof Error ? e.message : "The upload could not be removed.");
    } finally {
      setBusy(false);
    }
  };

  if (!confirming) {
    return (
      <button type="button" className="btn small" onClick={() => setConfirming(true)} aria-label={`Remove the upload ${fileName}`}>
        Remove
      </button>
    );
  }
  return (
    <span className="confirm-delete" role="group" aria-labelledby={msgId}>
      <span id={msgId} className="small">
        Remove “{fileName}”? The rows it replaced come back.
      </span>{" "}
      <button type="button" className="btn danger small" onClick={() => void remove()} disabled={busy} autoFocus>
        {busy ? "Removing…" : "Yes, remove"}
      </button>{" "}
      <button type="button" className="btn small" onClick={() => setConfirming(false)} disabled={busy}>
        Cancel
      </button>
      {error && (
        <span role="alert" className="small u-error-text u-block">
          {error}
        </span>
      )}
    </span>
  );
}
