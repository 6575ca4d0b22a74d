/**
 * Pure helpers for the ?horizon=&budget= controls and campaign links, safe in client components (no zod here: the
 * validation of search params on the server lives in read-query.ts).
 */
import type { AnalysisQuery } from "@/lib/analysis/schemas";

/** The conversion-lag part of an analysis query (?lag=&asOf=), carried along by links and refetches. */
export type LagQuery = { lag?: string | undefined; asOf?: string | undefined };

/** The source filter of an analysis query (?source=meta_ads), carried along by links and the controls. */
export type SourceQuery = { source?: string | undefined };

/** The query string for a horizon, budget, lag and source ("" for the defaults), e.g. "?horizon=month&budget=500". */
export function analysisSearch(q: { horizon: AnalysisQuery["horizon"]; budget?: number | undefined } & LagQuery & SourceQuery): string {
  const p = new URLSearchParams();
  if (q.horizon !== "week") p.set("horizon", q.horizon);
  if (q.budget !== undefined) p.set("budget", String(q.budget));
  if (q.lag !== undefined) p.set("lag", q.lag);
  if (q.asOf !== undefined) p.set("asOf", q.asOf);
  if (q.source !== undefined) p.set("source", q.source);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** Path of a campaign page (the name URL-encoded as one path segment). */
export function campaignHref(
  datasetId: number,
  campaign: string,
  q?: { horizon: AnalysisQuery["horizon"]; budget?: number | undefined } & SourceQuery,
): string {
  return `/datasets/${datasetId}/campaigns/${encodeURIComponent(campaign)}${q ? analysisSearch(q) : ""}`;
}

/**
 * Reads the budget box: "" -> undefined (use the current spend), a positive number up to 1e9 -> that number,
 * anything else -> an error message. Accepts thousands separators ("1,500") and a leading currency sign.
 */
export function parseBudget(text: string): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const t = text.trim().replace(/^[^\p{L}\d.+-]+/u, "").replace(/,/g, ""); // drop a leading "$", "€ "...
  if (t === "") return { ok: true, value: undefined };
  const n = Number(t);
  if (!Number.isFinite(n)) return { ok: false, message: "Enter an amount, e.g. 500." };
  if (n <= 0) return { ok: false, message: "The budget must be more than 0." };
  if (n > 1e9) return { ok: false, message: "The budget can be at most 1,000,000,000." };
  return { ok: true, value: n };
}

/**
 * The names a campaign path segment may stand for: the segment as the router gave it, then its percent-decoded
 * form when that differs (so a link built with encodeURIComponent works whether or not the router decoded it).
 */
export function campaignCandidates(segment: string): string[] {
  let decoded: string | null;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    decoded = null; // a lone "%" in a name: use the segment as is
  }
  return decoded !== null && decoded !== segment ? [segment, decoded] : [segment];
}
