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
const ANALYSIS_PARTS = ["summary", "full"] as const;
export const analysisPartQuerySchema = analysisQuerySchema.extend({
  part: z.enum(ANALYSIS_PARTS, { error: "part must be summary or full" }).default("full"),
});
