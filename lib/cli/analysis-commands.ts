import { parseArgs } from "node:util";
import { analyzeDatasetById } from "@/lib/analysis/service";
import { analysisQuerySchema } from "@/lib/analysis/schemas";
import { modelSpecSchema, runModel } from "@/lib/engine/contract";
import { AppError } from "@/lib/errors";
import { formatCount, formatFixed, sourceLabel } from "@/lib/format";
import { parseDatasetId } from "@/lib/id";
import { formatZodError } from "@/lib/validation";

/** `model --json '<spec>'`: the model contract, same JSON in and out as POST /api/model. */
export function runModelCommand(args: string[]): void {
  const { values } = parseArgs({ args, options: { json: { type: "string" } } });
  if (!values.json) throw new AppError("invalid_body", "model needs --json '<spec>' (the same JSON as POST /api/model).");
  let raw: unknown;
  try {
    raw = JSON.parse(values.json);
  } catch {
    throw new AppError("invalid_json", "--json is not valid JSON.");
  }
  const parsed = modelSpecSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("invalid_body", formatZodError(parsed.error));
  process.stdout.write(JSON.stringify(runModel(parsed.data)) + "\n");
}

/** `analyze <id> [--horizon day|week|month] [--budget X] [--lag q@d|off] [--as-of YYYY-MM-DD] [--source meta_ads|Meta] --json`. */
export function runAnalyzeCommand(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      horizon: { type: "string" },
      budget: { type: "string" },
      lag: { type: "string" },
      "as-of": { type: "string" },
      source: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const id = parseDatasetId(positionals[0]);
  if (id === null) throw new AppError("invalid_query", "analyze takes a dataset id: analyze <id> --json");
  const q = analysisQuerySchema.safeParse({ horizon: values.horizon, budget: values.budget, lag: values.lag, asOf: values["as-of"], source: values.source });
  if (!q.success) throw new AppError("invalid_query", formatZodError(q.error));
  const result = analyzeDatasetById(id, q.data);
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return;
  }
  const only = result.source === null ? "" : `, ${sourceLabel(result.source)} rows only`;
  const lines = [`Dataset ${result.datasetId}: ${result.campaigns.length} campaigns, horizon ${result.horizon}${only}`];
  if (result.sources.length > 1) {
    for (const s of result.sources) {
      lines.push(`  source ${s.label}: ${s.campaigns} campaigns, ${s.days} days, ${formatCount(s.clicks)} clicks, ${formatCount(s.conversions)} conversions`);
    }
  }
  for (const c of result.campaigns) {
    const f = c.forecast;
    lines.push(
      `  ${c.campaign}${result.sources.length > 1 ? ` [${c.sources.map(sourceLabel).join(", ")}]` : ""}: conversions ${formatFixed(f.conversions.mean, 1)} (5-95%: ${f.conversions.q05}-${f.conversions.q95}), P(no sale) ${formatFixed(f.pZeroConversions * 100, 1)}%, verdict ${c.verdict.label}`,
    );
  }
  lines.push(
    result.rho.pairs > 0
      ? `  correlation of daily surprises rho ${formatFixed(result.rho.estimate, 3)} (90%: ${formatFixed(result.rho.lo, 3)}-${formatFixed(result.rho.hi, 3)}, ${result.rho.pairs} campaign pairs)`
      : "  correlation of daily surprises: not estimated (needs two or more campaigns with dates)",
  );
  lines.push(`  lag: ${result.lag.note}`);
  lines.push(`  flags: ${result.multipleTesting.text}`);
  for (const n of result.notes) lines.push(`  note: ${n}`);
  process.stdout.write(lines.join("\n") + "\n");
}

