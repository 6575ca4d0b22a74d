"use client";

import { usePathname, useRouter } from "next/navigation";
import { useId, useRef, useState, useTransition } from "react";
import type { Horizon } from "@/lib/analysis/schemas";
import { currencySymbol } from "@/lib/format";
import { analysisSearch } from "./analysis-query";
import { useUrlState } from "./use-url-state";

/** The horizons offered (the same as HORIZONS in lib/analysis/schemas, without loading zod in the browser). */
const HORIZON_CHOICES: readonly Horizon[] = ["day", "week", "month"];

export interface HorizonBudgetFieldsProps {
  horizon: Horizon;
  budgetText: string;
  onHorizon: (h: Horizon) => void;
  onBudgetText: (s: string) => void;
  currency: string | null;
  /** Message under the budget box (the parse error, if any). */
  budgetError: string | null;
  /** Shown while new figures load. */
  pending: boolean;
  /** Explains the default budget, e.g. "each campaign's current spend". */
  defaultBudgetNote: string;
}

/** Horizon (day/week/month) radio group and an optional budget box. Presentational; state lives in the parent. */
export function HorizonBudgetFields(p: HorizonBudgetFieldsProps) {
  const budgetId = useId();
  const hintId = useId();
  const errId = useId();
  const sym = currencySymbol(p.currency);
  return (
    <div className="controls panel analysis-controls no-print" data-testid="analysis-controls">
      <fieldset className="segmented">
        <legend>Forecast horizon</legend>
        {HORIZON_CHOICES.map((h) => (
          <label key={h} className={p.horizon === h ? "on" : undefined}>
            <input type="radio" name="horizon" value={h} checked={p.horizon === h} onChange={() => p.onHorizon(h)} />
            {h === "day" ? "Day" : h === "week" ? "Week" : "Month (30 days)"}
          </label>
        ))}
      </fieldset>
      <div className="field u-field-300">
        <label htmlFor={budgetId}>
          Budget per {p.horizon}
          {p.currency ? ` (${p.currency})` : ""}, optional
        </label>
        <div className="input-affix">
          {sym && <span aria-hidden="true">{sym}</span>}
          <input
            id={budgetId}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            placeholder="current spend"
            value={p.budgetText}
            onChange={(e) => p.onBudgetText(e.target.value)}
            aria-invalid={p.budgetError ? true : undefined}
            aria-describedby={p.budgetError ? `${errId} ${hintId}` : hintId}
            data-testid="budget-input"
          />
        </div>
        <span id={hintId} className="small muted">
          Empty: {p.defaultBudgetNote}.
        </span>
        {p.budgetError && (
          <span id={errId} className="small u-error-text" role="alert">
            {p.budgetError}
          </span>
        )}
      </div>
      <span className="small muted u-min-9em" aria-live="polite">
        {p.pending ? "Updating the figures…" : ""}
      </span>
    </div>
  );
}

/**
 * Horizon and budget controls that keep their state in the URL (?horizon=&budget=) so the page can be shared;
 * the server page re-renders with the new figures. The budget is applied after typing pauses. The source filter
 * (?source=), chosen elsewhere on the page, is kept.
 */
export function UrlAnalysisControls({
  horizon,
  budget,
  currency,
  defaultBudgetNote,
  source,
}: {
  horizon: Horizon;
  budget: number | undefined;
  currency: string | null;
  defaultBudgetNote: string;
  source?: string | undefined;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  // The horizon shown follows a click at once; it resyncs when the page's own value changes (back button).
  const [shownHorizon, setShownHorizon] = useState(horizon);
  const [propHorizon, setPropHorizon] = useState(horizon);
  if (horizon !== propHorizon) {
    setPropHorizon(horizon);
    setShownHorizon(horizon);
  }
  const applied = useRef({ horizon, budget });

  const go = (h: Horizon, b: number | undefined) => {
    if (applied.current.horizon === h && applied.current.budget === b) return;
    applied.current = { horizon: h, budget: b };
    setShownHorizon(h);
    startTransition(() => router.replace(`${pathname}${analysisSearch({ horizon: h, budget: b, source })}`, { scroll: false }));
  };

  // The budget is applied once typing pauses (and only when it reads as a valid amount).
  const { budgetText, setBudgetText, parsed } = useUrlState({ initialBudget: budget, onBudget: (b) => go(applied.current.horizon, b) });

  return (
    <HorizonBudgetFields
      horizon={shownHorizon}
      budgetText={budgetText}
      onHorizon={(h) => go(h, parsed.ok ? parsed.value : applied.current.budget)}
      onBudgetText={setBudgetText}
      currency={currency}
      budgetError={parsed.ok ? null : parsed.message}
      pending={pending}
      defaultBudgetNote={defaultBudgetNote}
    />
  );
}
