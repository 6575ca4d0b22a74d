"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { apiErrorMessage } from "./api-error";

/** Loads the bundled sample data (POST /api/sample), then refreshes the page. */
export function LoadSampleButton({ label = "Load the sample data" }: { label?: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/sample", { method: "POST" });
      if (!res.ok) throw new Error(await apiErrorMessage(res));
      startTransition(() => router.refresh());
    } catch (e) {
      setError(e instanceof Error ? e.message : "The sample data could not be loaded.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="btn primary" onClick={() => void load()} disabled={busy || pending} data-testid="load-sample">
        {busy || pending ? "Loading the sample…" : label}
      </button>
      {error && (
        <p role="alert" className="alert error">
          {error}
        </p>
      )}
    </>
  );
}
