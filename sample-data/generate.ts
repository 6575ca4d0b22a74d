/**
 * The sample-data generator: `npm run sample-data` rewrites the files in sample-data/ with the default seed;
 * `generate({ seed, outDir })` writes the same set of files for any seed into any folder.
 *
 * This is a build-time script run by tsx, outside the Next.js bundle, so it does not import "server-only" (that
 * marker throws when loaded by plain Node); nothing in app/ or lib/ imports it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_SEED, simulate } from "./model";
import { renderDailyCsv, renderGoogleAdsCsv, renderMetaAdsCsv, renderOrdersCsv } from "./render";
import { buildTruth, renderReadme, renderTruthJson } from "./report";

/** The files `generate` writes, by name, in the order written. */
export const SAMPLE_FILES = [
  "campaigns-daily.csv",
  "orders.csv",
  "google-ads-campaign-report.csv",
  "meta-ads-export.csv",
  "truth.json",
  "README.md",
] as const;
export type SampleFile = (typeof SAMPLE_FILES)[number];

const optionsSchema = z.object({
  seed: z
    .number({ error: "seed must be a number" })
    .int("seed must be an integer")
    .min(0, "seed must be at least 0")
    .max(0xffffffff, "seed must fit in 32 bits (at most 4294967295)")
    .default(DEFAULT_SEED),
  outDir: z.string().min(1, "outDir must be a folder path"),
});
export type GenerateOptions = z.input<typeof optionsSchema>;

export interface GenerateResult {
  seed: number;
  outDir: string;
  /** Absolute path of each file written. */
  files: Record<SampleFile, string>;
  dailyRows: number;
  orderRows: number;
}

/**
 * Renders every sample file in memory. Pure: the same seed always gives the same strings.
 * @param seed integer in [0, 2^32 - 1]; the committed files use 20260302.
 */
export function renderSampleFiles(seed: number = DEFAULT_SEED): Record<SampleFile, string> {
  const sim = simulate(seed);
  const daily = renderDailyCsv(sim);
  const orders = renderOrdersCsv(sim);
  // Data lines = lines minus the header (each file ends with one newline).
  const counts = { dailyRows: countLines(daily) - 1, orderRows: countLines(orders) - 1 };
  const truth = buildTruth(sim);
  return {
    "campaigns-daily.csv": daily,
    "orders.csv": orders,
    "google-ads-campaign-report.csv": renderGoogleAdsCsv(sim),
    "meta-ads-export.csv": renderMetaAdsCsv(sim),
    "truth.json": renderTruthJson(truth),
    "README.md": renderReadme(truth, counts),
  };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * Generates the sample dataset for `seed` and writes it to `outDir` (created if missing), UTF-8 without BOM, LF line
 * endings. Throws a RangeError naming the bad option when `seed` or `outDir` is invalid.
 */
export function generate(options: GenerateOptions): GenerateResult {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new RangeError(`Invalid sample-data options: ${message}`);
  }
  const { seed } = parsed.data;
  const outDir = path.resolve(parsed.data.outDir);
  const contents = renderSampleFiles(seed);
  mkdirSync(outDir, { recursive: true });
  const files = {} as Record<SampleFile, string>;
  for (const name of SAMPLE_FILES) {
    const file = path.join(outDir, name);
    writeFileSync(file, contents[name], "utf8");
    files[name] = file;
  }
  return {
    seed,
    outDir,
    files,
    dailyRows: countLines(contents["campaigns-daily.csv"]) - 1,
    orderRows: countLines(contents["orders.csv"]) - 1,
  };
}

/** The folder this module lives in: the CLI writes the committed files next to it. */
const SAMPLE_DATA_DIR = path.dirname(fileURLToPath(import.meta.url));

function main(argv: readonly string[]): void {
  let seed = DEFAULT_SEED;
  let outDir = SAMPLE_DATA_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--seed" && value !== undefined) {
      seed = Number(value);
      i++;
    } else if (arg === "--out" && value !== undefined) {
      outDir = value;
      i++;
    } else {
      throw new RangeError(`Unknown argument "${arg}". Usage: tsx sample-data/generate.ts [--seed N] [--out DIR]`);
    }
  }
  const result = generate({ seed, outDir });
  console.log(
    `sample-data: seed ${result.seed}, ${result.dailyRows} campaign-days, ${result.orderRows} orders -> ${path.relative(process.cwd(), result.outDir) || "."}`,
  );
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
