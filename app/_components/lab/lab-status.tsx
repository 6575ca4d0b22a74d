import type { ReactNode } from "react";

/**
 * A lab's status line under its controls (the request's error, "Updating…" while one runs, else `done`), and the
 * message of a link whose state could not be computed while there is no result yet.
 */
export function LabStatus({
  error,
  pending,
  done,
  initialMessage,
  hasResult,
  testId,
}: {
  error: string | null | undefined;
  pending: boolean;
  done?: ReactNode;
  initialMessage?: string | null;
  hasResult: boolean;
  testId?: string;
}) {
  return (
    <>
      <p className="small lab-status" aria-live="polite" data-testid={testId}>
        {error ? (
          <span className="lab-error" role="alert">
            {error}
          </span>
        ) : pending ? (
          "Updating…"
        ) : (
          (done ?? "")
        )}
      </p>
      {!hasResult && initialMessage && !error && (
        <p className="alert error" role="alert">
          {initialMessage}
        </p>
      )}
    </>
  );
}
