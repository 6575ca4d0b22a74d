"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { apiErrorMessage } from "./api-error";

/**
 * Deletes a dataset after an explicit confirmation step (two buttons, keyboard reachable), then refreshes the page
 * (or goes to `redirectTo`).
 */
export function DeleteDatasetButton({ id, name, redirectTo, compact = false }: { id: number; name: string; redirectTo?: string; compact?: boolean }) {
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
      const res = await fetch(`/api/datasets/${id}`, { method: "DELETE" });
      if (!res.ok && res.status !== 404) throw new Error(await apiErrorMessage(res));
      setConfirming(false);
      startTransition(() => {
        if (redirectTo) router.push(redirectTo);
        router.refresh();
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : "The dataset could not be deleted.");
    } finally {
      setBusy(false);
    }
  };

  if (!confirming) {
    return (
      <button type="button" className={`btn danger${compact ? " small" : ""}`} onClick={() => setConfirming(true)} aria-label={`Delete ${name}`}>
        Delete
      </button>
    );
  }
  return (
    <span className="confirm-delete" role="group" aria-labelledby={msgId}>
      <span id={msgId} className="small">
        Delete “{name}” and its rows?
      </span>{" "}
      <button type="button" className="btn danger small" onClick={() => void remove()} disabled={busy} autoFocus>
        {busy ? "Deleting…" : "Yes, delete"}
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
