"use client";

/** Opens the browser's print dialog; hidden in print. */
export function PrintButton() {
  return (
    <button type="button" className="btn primary no-print" onClick={() => window.print()}>
      Print
    </button>
  );
}
