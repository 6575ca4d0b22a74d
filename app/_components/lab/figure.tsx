import type { ReactNode } from "react";

/**
 * A labelled figure like the design system's Stat, with the raw number in `data-value` (so tests and scripts read
 * the figure without parsing its formatting).
 */
export function Figure({ label, value, raw, sub, testId }: { label: string; value: ReactNode; raw?: number | null; sub?: ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={testId} data-value={raw === null || raw === undefined || !Number.isFinite(raw) ? undefined : String(raw)}>
      <span className="label">{label}</span>
      <span className="value">{value}</span>
      {sub !== undefined && <span className="sub">{sub}</span>}
    </div>
  );
}
