import "server-only";
import { closeDb, getDb } from "@/db/client";
import * as queries from "@/db/queries";
import { listUploads, type UploadListItem } from "@/db/uploads";
import { rejectedRowsCsv } from "./rejected";

/*
 * The datasets as pages, API routes and the command line read them: by id, on the process's own database
 * connection. Light on purpose (no importer, no engine): the dataset list and the rejected-rows download load only
 * this. Writes (import, delete, the sample) are in ./service.ts.
 */

export type { DatasetListItem } from "@/db/queries";

/** A setting (DATABASE_PATH) that cannot be used: the command line and the start script exit 2 with its message. */
export { SettingError } from "@/db/client";

/** Closes this process's connection, if open (the command line, before it exits). */
export function closeDatabase(): void {
  closeDb();
}

/** A dataset with its import summary, as GET /api/datasets/:id answers it. */
export type DatasetDetail = NonNullable<ReturnType<typeof queries.getDataset>>;

/** Every dataset whose import completed, newest first. */
export function listDatasets(): queries.DatasetListItem[] {
  return queries.listDatasets(getDb());
}

/** The dataset with its import summary, or undefined. */
export function getDataset(id: number): DatasetDetail | undefined {
  return queries.getDataset(getDb(), id);
}

/** Whether the id names a dataset whose import completed (status "ready"); one primary-key lookup. */
export function isReadyDataset(id: number): boolean {
  return queries.getDatasetRow(getDb(), id)?.status === "ready";
}

/** Whether a ready dataset has a campaign of one of these names (exposure rows or, for an order list, orders). */
export function datasetHasCampaign(id: number, names: readonly string[]): boolean {
  return isReadyDataset(id) && queries.datasetHasCampaign(getDb(), id, names);
}

/**
 * The rejected rows of a dataset as CSV (line, reason, raw; formula-safe) with a download name made from its file's
 * name, or null when there is no such dataset.
 */
export function rejectedCsv(id: number): { fileName: string; csv: string } | null {
  const db = getDb();
  const ds = queries.getDatasetRow(db, id);
  if (!ds) return null;
  const safeName = ds.fileName.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/\.[A-Za-z0-9]+$/, "");
  return { fileName: `${safeName}-rejected-rows.csv`, csv: rejectedRowsCsv(db, id) };
}

/** The files imported into a dataset, newest first, with what each changed; null when there is no such dataset. */
export function datasetUploads(id: number): UploadListItem[] | null {
  const db = getDb();
  if (!queries.getDatasetRow(db, id)) return null;
  return listUploads(db.$client, id);
}
