/**
 * The conversion-lag curve an analysis uses, in this order of precedence:
 *   1. the query's setting ("q@d", or "off"): source "setting";
 *   2. the dataset's time-lag report (Days to conversion): source "report";
 *   3. its successive exports, when they hold enough information (./lag-learn.ts): source "exports";
 *   4. the default setting, 90% of sales within 7 days (lib/engine/lag.ts DEFAULT_LAG): source "default".
 * A learned source gives campaigns with enough data of their own their own curve; the others take the dataset's.
 *
 * Ages are counted from the query's asOf date, else from the later of the dataset's newest date and the day before it
 * was uploaded (./as-of.ts).
 */
import { DEFAULT_LAG, lagCurveFromSetting, type LagCurve } from "@/lib/engine/lag";
import type { CampaignInput, LagOption } from "@/lib/engine/estimate";
import { formatNumber, formatPercent } from "@/lib/format";
import { asOfDate } from "./as-of";
import type { LearnedCurve, LearnedLag } from "./lag-learn";
import { parseLagSetting, type AnalysisQuery } from "./schemas";
import type { LagLearned, LagSummary } from "./types";

/** The newest date among the campaigns' dated rows (ISO strings compare as dates), or null without dates. */
function newestDate(inputs: readonly CampaignInput[]): string | null {
  let newest: string | null = null;
  for (const c of inputs) for (const d of c.days) if (d.date !== null && (newest === null || d.date > newest)) newest = d.date;
  return newest;
}

const learnedOf = (l: LearnedCurve): LagLearned => ({
  k: l.curve.k,
  kLo90: l.curve.kLo90,
  kHi90: l.curve.kHi90,
  observations: l.observations,
  ...(l.grown !== undefined ? { grown: l.grown } : {}),
  ...(l.exports !== undefined ? { exports: l.exports } : {}),
  ...(l.method !== undefined ? { method: l.method } : {}),
  ...(l.fileName !== undefined ? { fileName: l.fileName } : {}),
});

const optionOf = (asOf: string, curve: LagCurve): LagOption => ({
  asOf,
  fractions: curve.points.slice(0, curve.horizon).map((p) => Math.max(p.fraction, 1e-9)),
});

/** Whole days from ISO date `from` to ISO date `to`, at least 0. @example daysBetween("2026-03-01", "2026-03-04") // 3 */
function daysBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000));
}

const days = (d: number) => `${formatNumber(d, 0)} ${d === 1 ? "day" : "days"}`;

/** The card's sentence: where the curve comes from. */
function sourceSentence(source: LagSummary["source"], setting: { q: number; d: number }, learned: LagLearned | null): string {
  const share = `${formatPercent(setting.q, 0)} within ${days(setting.d)}`;
  if (source === "exports" && learned) {
    return `Learned from ${formatNumber(learned.exports ?? 0, 0)} exports of this dataset (${formatNumber(learned.grown ?? 0, 0)} sales seen arriving late): ${share}.`;
  }
  if (source === "report" && learned) {
    const how = learned.method === "empirical" ? "its own shares (an exponential delay fits it badly)" : "an exponential delay fitted to it";
    return `From your Days-to-conversion report${learned.fileName ? ` (${learned.fileName})` : ""}, ${formatNumber(learned.observations, 0)} conversions, ${how}: ${share}.`;
  }
  if (source === "setting") return `The setting given: ${share}.`;
  return `Assumed: ${share}; add a newer export or a Days-to-conversion report to learn it.`;
}

/**
 * The lag option for the estimate (undefined when lag is off or the rows have no dates), the campaigns' own options,
 * and the summary the answer carries. `q.lag` has been validated by analysisQuerySchema; `learned` is what the
 * dataset's report and exports give (./lag-learn.ts), null when not read.
 * @example resolveLag({ horizon: "week" }, inputs).summary.horizon // 14 with the default setting
 */
export function resolveLag(
  q: AnalysisQuery,
  inputs: readonly CampaignInput[],
  uploadedAt: string | null = null,
  learned: LearnedLag | null = null,
  newestOfDataset: string | null = null,
): { option: LagOption | undefined; byCampaign: Record<string, LagOption> | undefined; summary: LagSummary } {
  const given = q.lag === undefined ? undefined : parseLagSetting(q.lag);
  // `newestOfDataset`: the dataset's newest date when `inputs` are some of its campaigns (compare reads one).
  const ownNewest = newestDate(inputs);
  const newest = ownNewest !== null && newestOfDataset !== null && newestOfDataset > ownNewest ? newestOfDataset : ownNewest;
  const asOf = q.asOf ?? asOfDate(newest, uploadedAt);
  const asOfSource: LagSummary["asOfSource"] = q.asOf !== undefined ? "query" : asOf !== null && asOf !== newest ? "upload" : "newest-date";
  const newestAge = asOf !== null && newest !== null ? daysBetween(newest, asOf) : null;
  if (given === null || asOf === null) {
    return {
      option: undefined,
      byCampaign: undefined,
      summary: {
        source: "none",
        setting: null,
        learned: null,
        asOf,
        asOfSource,
        horizon: 0,
        newestAge,
        completeness: [],
        campaigns: [],
        sentence: asOf === null ? "The rows have no dates: conversion lag does not apply." : "Conversion lag is off: every day is taken as complete.",
        note: asOf === null ? "The rows have no dates: conversion lag does not apply." : "Conversion lag is off: every day is taken as complete.",
      },
    };
  }
  let source: LagSummary["source"];
  let curve: LagCurve;
  let from: LearnedLag[keyof LearnedLag] = null;
  if (given !== undefined) {
    source = "setting";
    curve = lagCurveFromSetting(given);
  } else if (learned?.report?.dataset) {
    source = "report";
    from = learned.report;
    curve = learned.report.dataset!.curve;
  } else if (learned?.exports?.dataset) {
    source = "exports";
    from = learned.exports;
    curve = learned.exports.dataset!.curve;
  } else {
    source = "default";
    curve = lagCurveFromSetting(DEFAULT_LAG);
  }
  const learnedSummary = from?.dataset ? learnedOf(from.dataset) : null;
  const names = new Set(inputs.map((c) => c.campaign));
  const own = from ? [...from.campaigns].filter(([c]) => names.has(c)) : [];
  const byCampaign = own.length > 0 ? Object.fromEntries(own.map(([c, l]) => [c, optionOf(asOf, l.curve)])) : undefined;
  const sentence = sourceSentence(source, curve.setting, learnedSummary);
  const ownNote = own.length > 0 ? ` ${formatNumber(own.length, 0)} ${own.length === 1 ? "campaign has" : "campaigns have"} a curve of its own.` : "";
  const origin =
    source === "setting"
      ? "the setting given"
      : source === "default"
        ? "the default setting (an assumption: add a newer export or a Days-to-conversion report to learn it)"
        : source === "exports"
          ? `learned from ${formatNumber(learnedSummary?.exports ?? 0, 0)} exports of this dataset`
          : "learned from your Days-to-conversion report";
  const shape = learnedSummary?.method === "empirical" ? "the report's own shares" : "an exponential delay";
  const note =
    `Sales are credited to the day of the click and keep arriving: the lag curve is ${origin}, ${formatPercent(curve.setting.q, 0)} of sales within ` +
    `${days(curve.setting.d)} (${shape}), with ages counted from ${asOf}` +
    `${asOfSource === "upload" ? " (the day before the upload)" : asOfSource === "query" ? "" : " (the newest date)"}; days younger than ${days(curve.horizon)} are provisional` +
    `${newestAge !== null && newestAge >= curve.horizon ? ` (none here: the newest date, ${newest}, is ${days(newestAge)} old)` : ""}.${ownNote}`;
  return {
    option: optionOf(asOf, curve),
    byCampaign,
    summary: {
      source,
      setting: curve.setting,
      learned: learnedSummary,
      asOf,
      asOfSource,
      horizon: curve.horizon,
      newestAge,
      completeness: curve.points,
      campaigns: own.map(([campaign, l]) => ({ campaign, horizon: l.curve.horizon, learned: learnedOf(l), completeness: l.curve.points })),
      sentence,
      note,
    },
  };
}
