/**
 * `lag-report <datasetId> <file> [--json]`: stores a time-lag report (Google Ads "Days to conversion", or a plain
 * days,conversions CSV) for a dataset; `lag-report <datasetId> --remove` removes it. Exit 2 when refused.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { AppError } from "@/lib/errors";
import { formatNumber, formatPercent } from "@/lib/format";
import { parseDatasetId } from "@/lib/id";
import { addLagReport, removeLagReport } from "@/lib/ingest/lag-report-service";

const USAGE = "lag-report takes a dataset id and a file: lag-report <id> <file> [--json], or lag-report <id> --remove";

/** Runs the lag-report command. @throws AppError (invalid_query, not_found, and the report's refusals). */
export async function runLagReportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { remove: { type: "boolean" }, json: { type: "boolean" } } });
  const id = parseDatasetId(positionals[0]);
  if (id === null) throw new AppError("invalid_query", USAGE);
  if (values.remove) {
    if (positionals.length !== 1) throw new AppError("invalid_query", USAGE);
    const r = await removeLagReport(id);
    process.stdout.write(values.json ? JSON.stringify(r, null, 2) + "\n" : `Removed the time-lag report of dataset ${id}.\n`);
    return;
  }
  const file = positionals[1];
  if (file === undefined || positionals.length !== 2) throw new AppError("invalid_query", USAGE);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new AppError("not_found", `No file at ${file}.`);
  const a = await addLagReport(fs.createReadStream(file), { datasetId: id, fileName: path.basename(file) });
  if (values.json) {
    process.stdout.write(JSON.stringify(a, null, 2) + "\n");
    return;
  }
  const lines = [
    `Time-lag report stored for dataset ${id} (${a.fileName}, ${a.format === "google_ads" ? "Days to conversion" : "days, conversions"}):`,
    `  ${formatNumber(a.buckets.length, 0)} buckets, ${formatNumber(a.fit.conversions)} conversions; ${formatNumber(a.rejected.length, 0)} rows could not be read, ${a.totalRows} total rows skipped`,
    `  curve: ${a.fit.method === "exponential" ? "an exponential delay" : "the report's own shares (an exponential delay fits it badly)"}, ${formatPercent(a.fit.within7, 1)} of conversions within 7 days`,
  ];
  for (const r of a.rejected.slice(0, 10)) lines.push(`  line ${r.line}: ${r.reason}`);
  if (a.rejected.length > 10) lines.push(`  ... and ${a.rejected.length - 10} more (--json lists them all)`);
  process.stdout.write(lines.join("\n") + "\n");
}
