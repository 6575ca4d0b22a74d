import { analysisQuerySchema, type AnalysisQuery } from "@/lib/analysis/schemas";

export type SearchParams = Record<string, string | string[] | undefined>;

/**
 * Reads ?horizon=&budget=&lag=&asOf=&source= from a page's search params (a source the dataset does not have is
 * refused by the analysis, whose message the page shows). Invalid values do not break the page: the default is used
 * and `warning` says what was ignored (shown above the controls).
 */
export function readAnalysisQuery(sp: SearchParams): { query: AnalysisQuery; warning: string | null } {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const horizon = first(sp.horizon);
  const budget = first(sp.budget);
  const lag = first(sp.lag);
  const asOf = first(sp.asOf);
  const source = first(sp.source);
  const raw = { horizon: horizon || undefined, budget: budget || undefined, lag: lag || undefined, asOf: asOf || undefined, source: source || undefined };
  const parsed = analysisQuerySchema.safeParse(raw);
  if (parsed.success) return { query: parsed.data, warning: null };
  const problems: string[] = [];
  const h = analysisQuerySchema.shape.horizon.safeParse(raw.horizon);
  const b = analysisQuerySchema.shape.budget.safeParse(raw.budget);
  const l = analysisQuerySchema.shape.lag.safeParse(raw.lag);
  const a = analysisQuerySchema.shape.asOf.safeParse(raw.asOf);
  const s = analysisQuerySchema.shape.source.safeParse(raw.source);
  if (!h.success) problems.push(`horizon "${String(horizon).slice(0, 20)}" (use day, week or month)`);
  if (!b.success) problems.push(`budget "${String(budget).slice(0, 20)}" (a positive amount up to 1,000,000,000)`);
  if (!l.success) problems.push(`lag "${String(lag).slice(0, 20)}" (use q@d, e.g. 0.9@7, or off)`);
  if (!a.success) problems.push(`asOf "${String(asOf).slice(0, 20)}" (an ISO date, e.g. 2026-03-09)`);
  if (!s.success) problems.push(`source "${String(source).slice(0, 20)}" (a source of this dataset, e.g. meta_ads)`);
  return {
    query: {
      horizon: h.success ? h.data : "week",
      ...(b.success && b.data !== undefined ? { budget: b.data } : {}),
      ...(l.success && l.data !== undefined ? { lag: l.data } : {}),
      ...(a.success && a.data !== undefined ? { asOf: a.data } : {}),
      ...(s.success && s.data !== undefined ? { source: s.data } : {}),
    },
    warning: `Ignored ${problems.join(" and ")}; showing the default instead.`,
  };
}
