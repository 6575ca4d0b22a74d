import "server-only";
import path from "node:path";
import type { Db } from "@/db/client";
import { countDatasets, getMeta, setMeta } from "@/db/queries";
import type { ImportSummary } from "@/lib/types/ingest";
import { importLocalFile } from "./uploads";

const SAMPLE_DIR = path.join(process.cwd(), "sample-data");

/** The bundled sample files, in load order: daily performance first, then the order values that go with it. */
/** The sample shop's currency (sample-data/README.md); the generic template itself has no currency column. */
const SAMPLE_CURRENCY = "USD";

const SAMPLE_FILES = [
  { file: "campaigns-daily.csv", name: "Sample shop: 6 campaigns, 180 days" },
  { file: "orders.csv", name: "Sample shop: order values" },
] as const;

/** Loads the sample dataset (both files, marked as sample). Loading twice returns the same datasets. */
export async function loadSampleData(db: Db, databasePath: string): Promise<ImportSummary[]> {
  const out: ImportSummary[] = [];
  for (const s of SAMPLE_FILES) {
    const summary = await importLocalFile(db, databasePath, path.join(SAMPLE_DIR, s.file), {
      name: s.name,
      isSample: true,
      maxBytes: 64 * 1024 * 1024,
      currency: SAMPLE_CURRENCY,
    });
    out.push(summary);
  }
  setMeta(db, "sample_loaded", new Date().toISOString());
  return out;
}

/**
 * At start: on an empty database that has never had the sample, load it (unless disabled). A user who deleted the
 * sample does not get it back at the next start; the overview offers it again.
 */
export async function ensureSampleData(
  db: Db,
  databasePath: string,
  opts: { enabled: boolean },
): Promise<ImportSummary[]> {
  if (!opts.enabled) return [];
  if (countDatasets(db) > 0 || getMeta(db, "sample_loaded")) return [];
  return loadSampleData(db, databasePath);
}
