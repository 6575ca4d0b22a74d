import { z } from "zod";

export const HORIZONS = ["day", "week", "month"] as const;
export type Horizon = (typeof HORIZONS)[number];
/** Days in each forecast horizon. */
export const HORIZON_DAYS: Record<Horizon, number> = { day: 1, week: 7, month: 30 };

/**
 * Reads a conversion-lag setting "q@d" (a share q in (0, 1) of conversions arrive within d days, 0 < d <= 365; e.g.
 * "0.9@7") or "off" (no lag: every day taken as complete). Returns null for "off", undefined when unreadable.
 * @example parseLagSetting("0.9@7") // { q: 0.9, d: 7 }
 */
export function parseLagSetting(text: string): { q: number; d: number } | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "none") return null;
  const m = /^(\d*\.?\d+)@(\d*\.?\d+)$/.exec(t);
  if (!m) return undefined;
  const q = Number(m[1]);
  const d = Number(m[2]);
  return q > 0 && q < 1 && d > 0 && d <= 365 ? { q, d } : undefined;
}

const LAG_MESSAGE = 'lag must be "q@d" (a share q between 0 and 1 of sales arrive within d days, e.g. 0.9@7) or "off"';

/** An ISO calendar date that exists (2026-02-30 does not); `name` opens the messages. */
export const isoDate = (name: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be an ISO date YYYY-MM-DD`)
    .refine((s) => {
      // Zod runs every check, so a string the regex refused reaches here too: Invalid Date is not a date.
      const t = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
    }, `${name} is not a calendar date`);

/**
 * Query of the analysis endpoints and CLI: horizon (default week), budget over that horizon (currency), the
 * conversion-lag setting (default lib/engine/lag.ts DEFAULT_LAG, 90% within 7 days), the date ages are counted from
 * (default the dataset's newest date) and the source (platform) to keep (default all).
 */
export const analysisQuerySchema = z.object({
  horizon: z.enum(HORIZONS).default("week"),
  budget: z.coerce.number().positive().max(1e9).optional(),
  lag: z
    .string()
    .max(40, LAG_MESSAGE)
    .refine((s) => parseLagSetting(s) !== undefined, LAG_MESSAGE)
    .optional(),
  asOf: isoDate("asOf").optional(),
  /** Only the rows of one source (platform): its key ("meta_ads") or label ("Meta"), checked against the dataset's. */
  source: z.string().trim().min(1, "source must not be empty").max(40, "source is too long").optional(),
});
export type AnalysisQuery = z.infer<typeof analysisQuerySchema>;

/** Parts of GET /api/datasets/:id/analysis: the campaign table first (summary), or everything (full, the default). */
const ANALYSIS_PARTS = ["summary", "full"] as const;
export const analysisPartQuerySchema = analysisQuerySchema.extend({
  part: z.enum(ANALYSIS_PARTS, { error: "part must be summary or full" }).default("full"),
});

const campaignName = z.string().trim().min(1, "must not be empty").max(500, "is too long");

/**
 * Query of `compare`: the campaign, the first day of the after period, and the conversion-lag setting and as-of date
 * (analysisQuerySchema's: the after period's young days are judged by what has arrived).
 */
export const compareQuerySchema = z
  .object({ campaign: campaignName, changeDate: isoDate("changeDate") })
  .extend(analysisQuerySchema.pick({ lag: true, asOf: true, source: true }).shape);
export type CompareQuery = z.infer<typeof compareQuerySchema>;

/**
 * Query of `ab`: the two campaigns, A (the reference) and B; or, with `campaign`, two segments of that campaign
 * (ads, ad sets, keywords: the file's segment column).
 */
export const abQuerySchema = z
  .object({ a: campaignName, b: campaignName, campaign: campaignName.optional() })
  .extend(analysisQuerySchema.pick({ source: true }).shape)
  .refine((q) => q.a !== q.b, { message: "a and b must be two different campaigns (or segments)", path: ["b"] });
export type AbQuery = z.infer<typeof abQuerySchema>;
