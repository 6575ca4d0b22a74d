"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { apiErrorMessage } from "./api-error";

/** What a confirm-then-DELETE button says and does (see ConfirmDeleteButton). */
export interface ConfirmDeleteProps {
  /** The API address the DELETE goes to; a 404 counts as done (already gone). */
  url: string;
  /** The first button's text and accessible name ("Delete", "Delete Shop A"). */
  label: string;
  ariaLabel: string;
  /** The question of the confirmation step, and its confirming button's text while idle and while busy. */
  question: React.ReactNode;
  confirm: string;
  busy: string;
  /** Shown when the request fails without the API's own message. */
  failure: string;
  /** The first button's class ("btn danger", "btn small", ...). */
  className: string;
  /** Where to go once done (the page is refreshed either way). */
  redirectTo?: string;
}

/**
 * A DELETE after an explicit confirmation step (two buttons, keyboard reachable; the confirming one takes the focus),
 * then a refresh of the page (or a move to `redirectTo`); the API's error is shown beside the buttons.
 */
export function ConfirmDeleteButton({ url, label, ariaLabel, question, confirm, busy: busyText, failure, className, redirectTo }: ConfirmDeleteProps) {
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
      const res = await fetch(url, { method: "DELETE" });
      if (!res.ok && res.status !== 404) throw new Error(await apiErrorMessage(res));
      setConfirming(false);
      startTransition(() => {
        if (redirectTo) router.push(redirectTo);
        router.refresh();
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : failure);
    } finally {
      setBusy(false);
    }
  };

  if (!confirming) {
    return (
      <button type="button" className={className} onClick={() => setConfirming(true)} aria-label={ariaLabel}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm-delete" role="group" aria-labelledby={msgId}>
      <span id={msgId} className="small">
        {question}
      </span>{" "}
      <button type="button" className="btn danger small" onClick={() => void remove()} disabled={busy} autoFocus>
        {busy ? busyText : confirm}
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
