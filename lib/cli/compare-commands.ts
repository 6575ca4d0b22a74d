import { parseArgs } from "node:util";
import { abQuerySchema, compareQuerySchema, type AbResult, type CompareResult } from "@/lib/analysis/compare";
import { compareArmsById, compareChangeById } from "@/lib/analysis/service";
import { AppError } from "@/lib/errors";
import { parseDatasetId } from "@/lib/id";
import { formatZodError } from "@/lib/validation";
import { formatFixed } from "@/lib/format";

/*
 * `compare` and `ab`: the same JSON as GET /api/datasets/:id/compare and /ab with --json, a short report without.
 */

const pct = (x: number) => `${x >= 0 ? "+" : ""}${formatFixed(100 * x, 1)}%`;
const prob = (p: number) => `${formatFixed(100 * p, 1)}%`;
const rate = (r: number | null) => (r === null ? "no clicks" : `${formatFixed(100 * r, 2)}% per click`);
const days = (d: number | null) => (d === null ? "not reachable" : `${d} ${d === 1 ? "day" : "days"} after the change`);

/** The short report of a compare answer (also `change`'s, after it saves a marker). */
export function compareText(r: CompareResult): string {
  const lines = [
    `Campaign "${r.campaign}", change on ${r.changeDate} (dataset ${r.datasetId})`,
    `  before: ${r.before.conversions} conversions / ${r.before.clicks} clicks (${rate(r.before.rate)}), ${r.before.days} days from ${r.before.from}`,
    `  after:  ${r.after.conversions} conversions / ${r.after.clicks} clicks (${rate(r.after.rate)}), ${r.after.days} days to ${r.after.to}`,
  ];
  if (r.lift && r.pPositive !== null && r.liftSaturated) {
    lines.push(`  lift in conversion rate: cannot be told from the drift before the change (90%: ${pct(r.lift.lo90)} to ${pct(r.lift.hi90)})`);
  } else if (r.lift && r.pPositive !== null) {
    lines.push(`  lift in conversion rate: ${pct(r.lift.median)} (90%: ${pct(r.lift.lo90)} to ${pct(r.lift.hi90)}); P(lift > 0) = ${prob(r.pPositive)}`);
  }
  if (r.expectedAfter) {
    const e = r.expectedAfter;
    lines.push(
      `  the before period predicts ${formatFixed(e.mean, 1)} conversions for the after clicks (90%: ${e.lo90} to ${e.hi90}, ${e.model === "drift" ? "drifting rate" : "fixed rate"}); observed ${e.observed}`,
    );
  }
  if (r.lag.provisionalDays > 0) {
    lines.push(
      `  lag: ${r.lag.provisionalDays} of the ${r.after.days} after days provisional, about ${formatFixed(100 * r.lag.afterCompleteness, 0)}% of their final conversions arrived; rates are per effective click (${formatFixed(r.after.effectiveClicks, 0)} of ${r.after.clicks})`,
    );
  }
  const d = r.daysToDetect;
  lines.push(`  to see a 10% lift with 80% probability: ${days(d.lift10)}; a 20% lift: ${days(d.lift20)} (at ${formatFixed(d.clicksPerDay, 0)} clicks a day; ${d.afterDays} days so far)`);
  if (r.revenue) {
    lines.push(`  revenue per click: ${pct(r.revenue.lift.median)} (90%: ${pct(r.revenue.lift.lo90)} to ${pct(r.revenue.lift.hi90)}); P(lift > 0) = ${prob(r.revenue.pPositive)}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}

function abText(r: AbResult): string {
  const name = (s: AbResult["a"]) => (s.segment === undefined ? `"${s.campaign}"` : `segment "${s.segment}"`);
  const of = r.a.segment === undefined ? "" : ` of campaign "${r.a.campaign}"`;
  const lines = [
    `A ${name(r.a)} against B ${name(r.b)}${of} (dataset ${r.datasetId}${r.period ? `, ${r.period.from} to ${r.period.to}` : ""})`,
    `  A: ${r.a.conversions} conversions / ${r.a.clicks} clicks (${rate(r.a.rate)})`,
    `  B: ${r.b.conversions} conversions / ${r.b.clicks} clicks (${rate(r.b.rate)})`,
  ];
  if (r.lift && r.pBBeatsA !== null && r.expectedLoss) {
    lines.push(`  B against A: ${pct(r.lift.median)} (90%: ${pct(r.lift.lo90)} to ${pct(r.lift.hi90)}); P(B beats A) = ${prob(r.pBBeatsA)}`);
    lines.push(`  expected loss per 1,000 clicks: choosing A ${formatFixed(1000 * r.expectedLoss.a, 3)}, choosing B ${formatFixed(1000 * r.expectedLoss.b, 3)} conversions`);
  }
  if (r.revenue) {
    lines.push(`  revenue per click, B against A: ${pct(r.revenue.lift.median)} (90%: ${pct(r.revenue.lift.lo90)} to ${pct(r.revenue.lift.hi90)}); P(B beats A) = ${prob(r.revenue.pPositive)}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}

/** `compare <id> --campaign C --change-date YYYY-MM-DD [--lag q@d|off] [--as-of YYYY-MM-DD] [--source S] [--json]`. */
export function runCompareCommand(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      campaign: { type: "string" },
      "change-date": { type: "string" },
      lag: { type: "string" },
      "as-of": { type: "string" },
      source: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const id = parseDatasetId(positionals[0]);
  if (id === null || positionals.length > 1) throw new AppError("invalid_query", "compare takes a dataset id: compare <id> --campaign C --change-date YYYY-MM-DD [--json]");
  printCompare(id, { campaign: values.campaign, changeDate: values["change-date"], lag: values.lag, asOf: values["as-of"], source: values.source }, values.json === true);
}

/** Validates a compare query (exit 2 with the reason) and prints its answer: JSON, or the short report. */
function printCompare(id: number, raw: Record<string, string | undefined>, json: boolean): void {
  const q = compareQuerySchema.safeParse(raw);
  if (!q.success) throw new AppError("invalid_query", formatZodError(q.error));
  const result = compareChangeById(id, q.data);
  process.stdout.write((json ? JSON.stringify(result, null, 2) : compareText(result)) + "\n");
}

/** `ab <id> --a A --b B [--campaign C] [--source S] [--json]`: two campaigns, or with --campaign two of its segments. */
export function runAbCommand(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { a: { type: "string" }, b: { type: "string" }, campaign: { type: "string" }, source: { type: "string" }, json: { type: "boolean" } },
  });
  const id = parseDatasetId(positionals[0]);
  if (id === null || positionals.length > 1) throw new AppError("invalid_query", "ab takes a dataset id: ab <id> --a A --b B [--campaign C] [--json]");
  const q = abQuerySchema.safeParse({ a: values.a, b: values.b, campaign: values.campaign, source: values.source });
  if (!q.success) throw new AppError("invalid_query", formatZodError(q.error));
  const result = compareArmsById(id, q.data);
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : abText(result)) + "\n");
}
