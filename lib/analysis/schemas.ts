import { z } from "zod";

export const HORIZONS = ["day", "week", "month"] as const;
export type Horizon = (typeof HORIZONS)[number];
/** Days in each forecast horizon. */
export const HORIZON_DAYS: Record<Horizon, number> = { day: 1, week: 7, month: 30 };

/** Query of the analysis endpoints and CLI: horizon (default week) and budget over that horizon (currency). */
export const analysisQuerySchema = z.object({
  horizon: z.enum(HORIZONS).default("week"),
  budget: z.coerce.number().positive().max(1e9).optional(),
});
export type AnalysisQuery = z.infer<typeof analysisQuerySchema>;

/** Parts of GET /api/datasets/:id/analysis: the campaign table first (summary), or everything (full, the default). */
export const ANALYSIS_PARTS = ["summary", "full"] as const;
export const analysisPartQuerySchema = analysisQuerySchema.extend({
  part: z.enum(ANALYSIS_PARTS, { error: "part must be summary or full" }).default("full"),
});

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be an ISO date YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "is not a calendar date");
const campaignName = z.string().trim().min(1, "must not be empty").max(500, "is too long");

/** Query of `compare`: the campaign and the first day of the after period. */
export const compareQuerySchema = z.object({ campaign: campaignName, changeDate: isoDate });
export type CompareQuery = z.infer<typeof compareQuerySchema>;

/**
 * Query of `ab`: the two campaigns, A (the reference) and B; or, with `campaign`, two segments of that campaign
 * (ads, ad sets, keywords: the file's segment column).
 */
export const abQuerySchema = z
  .object({ a: campaignName, b: campaignName, campaign: campaignName.optional() })
  .refine((q) => q.a !== q.b, { message: "a and b must be two different campaigns (or segments)", path: ["b"] });
export type AbQuery = z.infer<typeof abQuerySchema>;
