"use client";

import { useEffect, useEffectEvent, useState } from "react";
import { parseBudget } from "./analysis-query";
import { useDebouncedValue, useSyncedSearch } from "./lab/hooks";

/** Debounce delay of the budget box (ms): long enough to type "1500" without four analyzes. */
const BUDGET_DEBOUNCE_MS = 500;

/**
 * The analysis controls' state that lives in the address (?horizon=&budget=): the budget box's text, applied once
 * typing pauses and only when it reads as an amount, and (with `search`) the address kept equal to it without a
 * navigation (the labs' debounce and address hooks, ./lab/hooks).
 *
 * @param initialBudget - the budget the page was rendered with (absent: empty box)
 * @param onBudget - called with the typed budget BUDGET_DEBOUNCE_MS after the last keystroke, when it parses
 * @param search - the query string the address should carry ("" or "?horizon=..."); absent: the address is left alone
 * @returns the box's text, its setter and how it parses (for the message under the box)
 */
export function useUrlState(opts: {
  initialBudget: number | undefined;
  onBudget: (budget: number | undefined) => void;
  search?: string;
}): { budgetText: string; setBudgetText: (s: string) => void; parsed: ReturnType<typeof parseBudget> } {
  const [budgetText, setBudgetText] = useState(opts.initialBudget === undefined ? "" : String(opts.initialBudget));
  const parsed = parseBudget(budgetText);
  // The latest callback, without re-running the effect when the parent renders a new one.
  const apply = useEffectEvent((budget: number | undefined) => opts.onBudget(budget));
  const settled = useDebouncedValue(budgetText, BUDGET_DEBOUNCE_MS);
  useEffect(() => {
    const p = parseBudget(settled);
    if (p.ok) apply(p.value);
  }, [settled]);
  // Keep the address shareable: the query follows the controls (no navigation, no server render).
  useSyncedSearch(opts.search);
  return { budgetText, setBudgetText, parsed };
}
