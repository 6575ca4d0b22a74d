/**
 * The command line: `npm run -s cli -- <command> ...`. Exit 0 on success, 2 when the input is refused or invalid
 * (the reason on stderr), 1 on an internal failure.
 */
import { parseArgs } from "node:util";
import { uploadMaxBytes } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { formatNumber } from "@/lib/format";
import { parseDatasetId } from "@/lib/id";
import { closeDatabase, datasetUploads, listDatasets, rejectedCsv, SettingError } from "@/lib/ingest/datasets";
import { MAPPABLE_FIELDS, type ImportSummary, type Mapping, type MappableField, type UploadTotals } from "@/lib/types/ingest";
import { currencySchema } from "@/lib/ingest/schemas";

const USAGE = `noisefloor command line

  import <file> [--into <id>] [--name N] [--map field=Header ...] [--currency EUR] [--json]
      Import a CSV export (generic template, orders, Google Ads, Meta, Microsoft Advertising, ad-level).
      --into: add a newer export to dataset <id> (rows of the same date, campaign, segment and platform are
              replaced; another platform's rows are added beside, a campaign name in two platforms counted as one;
              the answer says how many rows were added and replaced, and the totals before and after)
      --map fields: ${MAPPABLE_FIELDS.join(", ")}
      --currency: ISO 4217 code for a file that names no currency (refused when the file names another)
  uploads <id> [--json]                 The files imported into a dataset, newest first, with what each changed.
  remove-upload <id> <uploadId>         Remove one upload: the dataset is as it was without it.
  lag-report <id> <file> [--json]       Store a time-lag report (Google Ads "Days to conversion", or days,conversions)
                                        for a dataset: its conversion-lag curve is then learned from it.
  lag-report <id> --remove              Remove it (the curve comes from the exports again, or the default).
  datasets [--json]                     List imported datasets.
  rejected <id>                         Print the rejected rows of a dataset as CSV (line, reason, raw).
  model --json '<spec>'                 Run the model contract (same JSON as POST /api/model).
  analyze <id> [--horizon day|week|month] [--budget X] [--lag q@d|off] [--as-of YYYY-MM-DD] [--source S] --json
                                        Per-campaign figures, forecasts, calibration and pooling summary;
                                        --source: one platform's rows only (google_ads, meta_ads, microsoft_ads,
                                        other, or the label: "Google Ads", Meta, "Microsoft Ads", Other).
  compare <id> --campaign C --change-date YYYY-MM-DD [--lag q@d|off] [--as-of YYYY-MM-DD] [--source S] [--json]
                                        Did a change work? The campaign before and after the date: lift, P(lift > 0),
                                        the after period against its predicted range, days needed to see 10%/20%;
                                        --source: one platform's rows only (as for analyze).
  change <id> --campaign C --date YYYY-MM-DD [--note N] [--json]
                                        Save a change marker (the day a campaign changed, and what changed) and
                                        print "Did it work?" for it. change <id> --remove <markerId> removes one.
  changes <id> [--campaign C] [--json]  List a dataset's change markers.
  ab <id> --a A --b B [--campaign C] [--source S] [--json]
                                        Campaign B against campaign A (or, with --campaign, two of its segments):
                                        P(B beats A), expected loss, lift; --source: one platform's rows only.

Settings come from the environment (DATABASE_PATH, UPLOAD_MAX_MB, ...; see README.md).`;

class UsageError extends AppError {
  constructor(message: string) {
    super("invalid_query", message);
  }
}

function parseMapping(pairs: string[]): Mapping | undefined {
  if (pairs.length === 0) return undefined;
  const m: Mapping = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--map expects field=Header, got "${pair}".`);
    const field = pair.slice(0, eq).trim();
    const header = pair.slice(eq + 1).trim();
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(`--map: unknown field "${field}"; fields are ${MAPPABLE_FIELDS.join(", ")}.`);
    }
    m[field as MappableField] = header === "" ? null : header;
  }
  return m;
}

async function cmdImport(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      map: { type: "string", multiple: true },
      currency: { type: "string" },
      into: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    throw new UsageError("import takes one file: import <file> [--name N] [--map field=Header] [--currency EUR] [--json]");
  }
  let currency: string | undefined;
  if (values.currency !== undefined) {
    const parsed = currencySchema.safeParse(values.currency);
    if (!parsed.success) throw new UsageError(`--currency must be an ISO 4217 code of 3 letters (e.g. EUR), got "${values.currency.slice(0, 20)}".`);
    currency = parsed.data;
  }
  const mapping = parseMapping(values.map ?? []);
  let intoDatasetId: number | undefined;
  if (values.into !== undefined) {
    const id = parseDatasetId(values.into);
    if (id === null) throw new UsageError(`--into takes a dataset id (a positive whole number), got "${values.into.slice(0, 20)}".`);
    intoDatasetId = id;
  }
  // Loaded on use, like the analysis commands: `datasets` and `rejected` start without the importer or the engine.
  const { importFromDisk } = await import("@/lib/ingest/service");
  const summary = await importFromDisk(file, {
    name: values.name,
    mapping,
    currency,
    maxBytes: uploadMaxBytes(),
    intoDatasetId,
  });
  if (values.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    return;
  }
  const t = summary.totals;
  const lines = [
    `${summary.existing ? "Already imported" : summary.upload ? "Added" : "Imported"}: ${summary.upload ? "into " : ""}dataset ${summary.datasetId} "${summary.name}" (${summary.formatLabel})`,
    `  rows imported ${formatNumber(summary.rowsImported, 0)}, rejected ${formatNumber(summary.rowsRejected, 0)}; ${summary.campaigns} campaigns`,
    `  period ${summary.period ? `${summary.period.start} to ${summary.period.end}` : "none (no dates in the file)"}; currency ${summary.currency ?? "not stated"}`,
    `  ${summary.upload && !summary.existing ? "this file's totals" : "totals"}: impressions ${formatNumber(t.impressions, 0)}, clicks ${formatNumber(t.clicks, 0)}, conversions ${formatNumber(t.conversions)}, spend ${formatNumber(t.spend)}, revenue ${formatNumber(t.revenue)}`,
  ];
  if (summary.upload) lines.push(...uploadLines(summary));
  if (summary.reconciliation)
    lines.push(`  reconciliation with "${summary.reconciliation.source}": ${summary.reconciliation.matches ? "matches" : "DOES NOT MATCH"}`);
  for (const w of summary.warnings) lines.push(`  warning: ${w}`);
  if (summary.rowsRejected > 0) lines.push(`  rejected rows: npm run -s cli -- rejected ${summary.datasetId}`);
  process.stdout.write(lines.join("\n") + "\n");
}

function uploadLines(summary: ImportSummary): string[] {
  const u = summary.upload!;
  const tot = (t: UploadTotals) => `${formatNumber(t.rows, 0)} rows, clicks ${formatNumber(t.clicks, 0)}, conversions ${formatNumber(t.conversions)}, spend ${formatNumber(t.spend)}`;
  return [
    `  upload ${u.uploadId}: ${formatNumber(u.rowsAdded, 0)} rows added, ${formatNumber(u.rowsReplaced, 0)} replaced${u.backfill ? " (back-fill)" : ""}`,
    `  dataset before: ${tot(u.totalsBefore)}`,
    `  dataset after:  ${tot(u.totalsAfter)}`,
    `  ${u.rule}`,
  ];
}

function cmdUploads(args: string[]): void {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  const id = parseDatasetId(positionals[0]);
  if (id === null || positionals.length > 1) throw new UsageError("uploads takes a dataset id: uploads <id> [--json]");
  const list = datasetUploads(id);
  if (!list) throw new AppError("not_found", `No dataset with id ${id}.`);
  if (values.json) {
    process.stdout.write(JSON.stringify({ datasetId: id, uploads: list }, null, 2) + "\n");
    return;
  }
  for (const u of list) {
    const period = u.period ? `${u.period.start}..${u.period.end}` : "no dates";
    process.stdout.write(
      `${String(u.id).padStart(4)}  ${u.importedAt}  ${u.fileName} (${u.format}, ${period})${u.first ? " [first]" : ""}${u.backfill ? " [back-fill]" : ""}\n` +
        `      ${formatNumber(u.rowsAdded, 0)} rows added, ${formatNumber(u.rowsReplaced, 0)} replaced, ${formatNumber(u.rowsRejected, 0)} rejected; ` +
        `rows ${formatNumber(u.totalsBefore.rows, 0)} -> ${formatNumber(u.totalsAfter.rows, 0)}, conversions ${formatNumber(u.totalsBefore.conversions)} -> ` +
        `${formatNumber(u.totalsAfter.conversions)}, spend ${formatNumber(u.totalsBefore.spend)} -> ${formatNumber(u.totalsAfter.spend)}\n`,
    );
  }
}

async function cmdRemoveUpload(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const id = parseDatasetId(positionals[0]);
  const uploadId = parseDatasetId(positionals[1]);
  if (id === null || uploadId === null || positionals.length > 2) {
    throw new UsageError("remove-upload takes a dataset id and an upload id: remove-upload <id> <uploadId>");
  }
  const { removeDatasetUpload } = await import("@/lib/ingest/service");
  if (!(await removeDatasetUpload(id, uploadId))) throw new AppError("not_found", `Dataset ${id} has no upload ${uploadId}.`);
  process.stdout.write(`Removed upload ${uploadId} from dataset ${id}.\n`);
}

function cmdDatasets(args: string[]): void {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
  const list = listDatasets();
  if (values.json) {
    process.stdout.write(JSON.stringify({ datasets: list }, null, 2) + "\n");
    return;
  }
  if (list.length === 0) {
    process.stdout.write("No datasets yet. Import one: npm run -s cli -- import <file>\n");
    return;
  }
  for (const d of list) {
    const period = d.periodStart ? `${d.periodStart}..${d.periodEnd}` : "no dates";
    process.stdout.write(
      `${String(d.id).padStart(4)}  ${d.name}${d.isSample ? " [sample]" : ""}  (${d.format}, ${d.rowsImported} rows, ${d.campaigns} campaigns, ${period})\n`,
    );
  }
}

function cmdRejected(args: string[]): void {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const id = parseDatasetId(positionals[0]);
  if (id === null) throw new UsageError("rejected takes a dataset id: rejected <id>");
  const found = rejectedCsv(id);
  if (!found) throw new AppError("not_found", `No dataset with id ${id}.`);
  process.stdout.write(found.csv);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "import":
      await cmdImport(rest);
      return 0;
    case "datasets":
      cmdDatasets(rest);
      return 0;
    case "rejected":
      cmdRejected(rest);
      return 0;
    case "uploads":
      cmdUploads(rest);
      return 0;
    case "remove-upload":
      await cmdRemoveUpload(rest);
      return 0;
    case "lag-report":
      await (await import("./lag-commands")).runLagReportCommand(rest);
      return 0;
    case "model":
      (await import("./analysis-commands")).runModelCommand(rest);
      return 0;
    case "analyze":
      (await import("./analysis-commands")).runAnalyzeCommand(rest);
      return 0;
    case "compare":
      (await import("./compare-commands")).runCompareCommand(rest);
      return 0;
    case "change":
      await (await import("./change-commands")).runChangeCommand(rest);
      return 0;
    case "changes":
      (await import("./change-commands")).runChangesCommand(rest);
      return 0;
    case "ab":
      (await import("./compare-commands")).runAbCommand(rest);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    if (e instanceof SettingError) {
      process.stderr.write(`error (settings): ${e.message}\n`);
      process.exitCode = 2;
    } else if (isAppError(e)) {
      process.stderr.write(`error (${e.code}): ${e.message}\n`);
      // An unrecognised header row: the columns guessed from their names, as options to check and run again with.
      const suggested = e.code === "unrecognised_format" ? (e.details?.suggested as Record<string, string> | undefined) : undefined;
      if (suggested && Object.keys(suggested).length > 0) {
        const flags = Object.entries(suggested).map(([field, header]) => `--map ${field}=${/^[\w.-]+$/.test(header) ? header : JSON.stringify(header)}`);
        process.stderr.write(`guessed from the column names (check each, then run again with them): ${flags.join(" ")}\n`);
      }
      process.exitCode = e.code === "internal" ? 1 : 2;
    } else if (e instanceof TypeError && "code" in e && String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  })
  .finally(() => closeDatabase());
