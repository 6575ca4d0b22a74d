"use client";

import { useEffect, useEffectEvent, useState } from "react";
import { parseBudget } from "./analysis-query";

/** Debounce delay of the budget box (ms): long enough to type "1500" without four analyzes. */
const BUDGET_DEBOUNCE_MS = 500;

/**
 * The analysis controls' state that lives in the address (?horizon=&budget=): the budget box's text, applied once
 * typing pauses and only when it reads as an amount, and (with `replaceUrl`) the address kept equal to `search`
 * without a navigation.
 *
 * @param initialBudget - the budget the page was rendered with (absent: empty box)
 * @param onBudget - called with the typed budget BUDGET_DEBOUNCE_MS after the last keystroke, when it parses
 * @param search - with replaceUrl, the query string the address should carry ("" or "?horizon=...")
 * @returns the box's text, its setter and how it parses (for the message under the box)
 */
export function useUrlState(opts: {
  initialBudget: number | undefined;
  onBudget: (budget: number | undefined) => void;
  search?: string;
}): { budgetText: string; setBudgetText: (s: string) => void; parsed: ReturnType<typeof parseBudget> } {
  const [budgetText, setBudgetText] = useState(opts.initialBudget === undefined ? "" : String(opts.initialBudget));
  const parsed = parseBudget(budgetText);
  // The latest callback, without restarting the timer when the parent renders a new one.
  const apply = useEffectEvent((budget: number | undefined) => opts.onBudget(budget));

  useEffect(() => {
    const p = parseBudget(budgetText);
    if (!p.ok) return;
    const t = setTimeout(() => apply(p.value), BUDGET_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [budgetText]);

  // Keep the address shareable: the query follows the controls (no navigation, no server render).
  const search = opts.search;
  useEffect(() => {
    if (search === undefined) return;
    const url = `${window.location.pathname}${search}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, "", url);
  }, [search]);

  return { budgetText, setBudgetText, parsed };
}
