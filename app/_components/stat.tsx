import type { ReactNode } from "react";

/** A labelled figure: small caps label, the value, an optional line under it; `small` for a row of many figures. */
export function Stat({ label, value, sub, testId, small }: { label: string; value: ReactNode; sub?: ReactNode; testId?: string; small?: boolean }) {
  return (
    <div className="stat" data-testid={testId}>
      <span className="label">{label}</span>
      <span className={small ? "value value-sm" : "value"}>{value}</span>
      {sub !== undefined && <span className="sub">{sub}</span>}
    </div>
  );
}
