/**
 * Input shapes of the estimation code, their zod schemas (the boundary where invalid input is refused), and the
 * frequency/severity specs it hands to the aggregate engine (the shapes of DESIGN.md's model contract).
 */
import { z } from "zod";

/** One row of exposure: a campaign-day, or (date null) one ad/segment over the whole period of a file. */
export interface DayRow {
  /** ISO date `YYYY-MM-DD`, or null when the file has no dates (then the row is an ad, not a day). */
  date: string | null;
  /** Null when the file does not say: such rows are left out of the click-through rate (never counted as 0). */
  impressions: number | null;
  clicks: number;
  /** May be fractional (attribution) and may exceed clicks (view-through conversions). */
  conversions: number;
  /** Currency units. */
  spend: number;
  /** Currency units; null when the file has no revenue for this row. */
  revenue: number | null;
}

/** One campaign's rows, plus order values (currency units) when an order-level sales file was imported. */
export interface CampaignInput {
  campaign: string;
  days: DayRow[];
  orderValues?: number[];
}

/** What the rows stand for: days (dated rows) or ads/segments (undated rows). */
export type Unit = "day" | "ad";

const count = z.number().finite().nonnegative();

/** zod schema of a DayRow (non-negative finite counts and spend; revenue any finite number or null). */
const DayRowSchema = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "date must be an ISO date YYYY-MM-DD")
    .nullable(),
  impressions: count.nullable(),
  clicks: count,
  conversions: count,
  spend: count,
  revenue: z.number().finite().nullable(),
});

/** zod schema of a CampaignInput: rows must all carry a date or all be undated. */
export const CampaignInputSchema = z
  .object({
    campaign: z.string().min(1, "campaign name is empty"),
    days: z.array(DayRowSchema).min(1, "a campaign needs at least one row"),
    orderValues: z.array(z.number().finite()).optional(),
  })
  .refine((c) => c.days.every((d) => d.date === null) || c.days.every((d) => d.date !== null), {
    message: "rows must either all have a date or all have none",
    path: ["days"],
  });

/** Frequency spec of the model contract: the law of a horizon's conversion count. */
export type FrequencySpec =
  | { kind: "poisson"; lambda: number }
  | { kind: "negbin"; r: number; mean: number }
  | { kind: "binomial"; n: number; p: number };

/** Severity spec of the model contract: the law of one order's value (currency units). */
export type SeveritySpec =
  | { kind: "lognormal"; mu: number; sigma: number }
  | { kind: "empirical"; points: [number, number][] }
  | { kind: "constant"; value: number };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isCount = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x) && x >= 0;

/**
 * True when `value` is a CampaignInput that CampaignInputSchema accepts, checked by a plain loop over the rows: a
 * dataset's rows come from the database already typed, and zod's parse of every row (an object copy each) was a
 * tenth of a 300-campaign analysis. Callers parse with zod when this is false, so a refusal still names the field
 * exactly as zod words it.
 * @example isValidCampaignInput({ campaign: "A", days: [{ date: null, impressions: 10, clicks: 1, conversions: 0, spend: 1, revenue: null }] }) // true
 */
export function isValidCampaignInput(value: unknown): value is CampaignInput {
  if (typeof value !== "object" || value === null) return false;
  const c = value as { campaign?: unknown; days?: unknown; orderValues?: unknown };
  if (typeof c.campaign !== "string" || c.campaign.length === 0) return false;
  if (!Array.isArray(c.days) || c.days.length === 0) return false;
  if (c.orderValues !== undefined && !(Array.isArray(c.orderValues) && c.orderValues.every((v) => typeof v === "number" && Number.isFinite(v)))) {
    return false;
  }
  const dated = (c.days[0] as { date?: unknown } | null)?.date !== null;
  for (const d of c.days as unknown[]) {
    if (typeof d !== "object" || d === null) return false;
    const r = d as Record<string, unknown>;
    if (dated ? !(typeof r.date === "string" && ISO_DATE.test(r.date)) : r.date !== null) return false;
    if (!(r.impressions === null || isCount(r.impressions))) return false;
    if (!isCount(r.clicks) || !isCount(r.conversions) || !isCount(r.spend)) return false;
    if (!(r.revenue === null || (typeof r.revenue === "number" && Number.isFinite(r.revenue)))) return false;
  }
  return true;
}

/**
 * Parses `value` with `schema`; on failure throws RangeError naming the first offending field, so every public
 * entry refuses bad input the same way (lib/engine/contract.ts maps it to the app's 400).
 * @example parseOrThrow(CampaignInputSchema, { campaign: "", days: [] }, "campaign") // throws "Invalid campaign at campaign: campaign name is empty."
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new RangeError(`Invalid ${what}${where}: ${issue?.message ?? "invalid value"}.`);
}

/**
 * Dated rows one per date in date order, rows sharing a date (segments) summed into one day (revenue null only when
 * null on every summed row); undated rows (ads) as they are. Rows already in that form (what the database's reader
 * gives) are returned as they are, read-only, not copied: two copies of every row per analysis were a quarter of the
 * young generation's collections on 1,000 campaigns x 365 days. Expects rows already validated (all dated or none).
 * @example normaliseRows([{ date: "2025-01-02", ... }, { date: "2025-01-01", ... }]).rows[0].date // "2025-01-01"
 */
export function normaliseRows(days: readonly DayRow[]): { unit: Unit; rows: readonly Readonly<DayRow>[] } {
  if (days.length > 0 && days.every((d) => d.date === null)) return { unit: "ad", rows: days };
  // Already one row per date in date order (what the database's reader gives).
  let ordered = true;
  for (let i = 1; i < days.length && ordered; i++) ordered = (days[i - 1]!.date as string) < (days[i]!.date as string);
  if (ordered) return { unit: "day", rows: days };
  const byDate = new Map<string, DayRow>();
  for (const d of days) {
    const key = d.date as string;
    const prev = byDate.get(key);
    if (!prev) {
      byDate.set(key, { ...d });
      continue;
    }
    prev.impressions = prev.impressions === null && d.impressions === null ? null : (prev.impressions ?? 0) + (d.impressions ?? 0);
    prev.clicks += d.clicks;
    prev.conversions += d.conversions;
    prev.spend += d.spend;
    prev.revenue = prev.revenue === null && d.revenue === null ? null : (prev.revenue ?? 0) + (d.revenue ?? 0);
  }
  const rows = [...byDate.values()].sort((x, y) => ((x.date as string) < (y.date as string) ? -1 : 1));
  return { unit: "day", rows };
}
