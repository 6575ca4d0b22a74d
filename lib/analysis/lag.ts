/**
 * The conversion-lag curve an analysis uses: from the query's setting ("q@d", or "off") or the default (90% of sales
 * within 7 days). Learning the curve from successive exports waits for datasets that keep them; until then the source
 * is always a setting.
 *
 * Ages are counted from the query's asOf date, else from the later of the dataset's newest date and the day before it
 * was uploaded. An export cannot be newer than its upload, and its days keep maturing until it is taken: a report of
 * last month uploaded today holds complete days, while an export ending yesterday holds a provisional yesterday. Both
 * readings agree when the file is uploaded the day after its newest date, the usual case.
 */
import { DEFAULT_LAG, lagCurveFromSetting } from "@/lib/engine/lag";
import type { CampaignInput, LagOption } from "@/lib/engine/estimate";
import { formatPercent } from "@/lib/format";
import { parseLagSetting, type AnalysisQuery } from "./schemas";
import type { LagSummary } from "./types";

const ISO_START = /^\d{4}-\d{2}-\d{2}/;

/** The ISO date one day before an ISO date. @example dayBefore("2026-03-01") // "2026-02-28" */
function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** The newest date among the campaigns' dated rows (ISO strings compare as dates), or null without dates. */
function newestDate(inputs: readonly CampaignInput[]): string | null {
  let newest: string | null = null;
  for (const c of inputs) for (const d of c.days) if (d.date !== null && (newest === null || d.date > newest)) newest = d.date;
  return newest;
}

/**
 * The lag option for the estimate (undefined when lag is off or the rows have no dates) and the summary the answer
 * carries. `q.lag` has been validated by analysisQuerySchema.
 * @example resolveLag({ horizon: "week" }, inputs).summary.horizon // 14 with the default setting
 */
export function resolveLag(
  q: AnalysisQuery,
  inputs: readonly CampaignInput[],
  uploadedAt: string | null = null,
  newestOfDataset: string | null = null,
): { option: LagOption | undefined; summary: LagSummary } {
  const setting = q.lag === undefined ? DEFAULT_LAG : parseLagSetting(q.lag);
  // `newestOfDataset`: the dataset's newest date when `inputs` are some of its campaigns (compare reads one).
  const own = newestDate(inputs);
  const newest = own !== null && newestOfDataset !== null && newestOfDataset > own ? newestOfDataset : own;
  const dayBeforeUpload = uploadedAt !== null && ISO_START.test(uploadedAt) ? dayBefore(uploadedAt.slice(0, 10)) : null;
  const asOf = q.asOf ?? (newest !== null && dayBeforeUpload !== null && dayBeforeUpload > newest ? dayBeforeUpload : newest);
  const asOfSource: LagSummary["asOfSource"] = q.asOf !== undefined ? "query" : asOf !== null && asOf !== newest ? "upload" : "newest-date";
  if (setting === null || setting === undefined || asOf === null) {
    return {
      option: undefined,
      summary: {
        source: "none",
        setting: null,
        asOf,
        asOfSource,
        horizon: 0,
        completeness: [],
        note: asOf === null ? "The rows have no dates: conversion lag does not apply." : "Conversion lag is off: every day is taken as complete.",
      },
    };
  }
  const curve = lagCurveFromSetting(setting);
  const given = q.lag === undefined ? "the default setting" : "the setting given";
  const note =
    `Sales are credited to the day of the click and keep arriving: the lag curve is ${given}, ${formatPercent(setting.q, 0)} of sales within ` +
    `${setting.d} ${setting.d === 1 ? "day" : "days"} (an exponential delay), with ages counted from ${asOf}` +
    `${asOfSource === "upload" ? " (the day before the upload)" : asOfSource === "query" ? "" : " (the newest date)"}; days younger than ${curve.horizon} days are provisional.`;
  return {
    option: { asOf, fractions: curve.points.slice(0, curve.horizon).map((p) => p.fraction) },
    summary: { source: "setting", setting, asOf, asOfSource, horizon: curve.horizon, completeness: curve.points, note },
  };
}
