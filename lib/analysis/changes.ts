import "server-only";
import { z } from "zod";
import { campaignDateRange, campaignExists, deleteChangeMarker, insertChangeMarker, listChangeMarkers } from "@/db/changes";
import { getDb } from "@/db/client";
import { getDatasetRow } from "@/db/queries";
import type { ChangeMarker as ChangeMarkerRow } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { withWriteTurn } from "@/lib/ingest/import-lock";
import { formatZodError } from "@/lib/validation";
import { isoDate } from "./schemas";

/*
 * Change markers: "on this day I changed campaign C (new ads)". Saved by the campaign page, the command line
 * (`change`) and POST /api/datasets/:id/changes; "Did it work?" answers for a marker's date. Light on purpose (no
 * engine): `changes` lists them without loading the analysis.
 */

/** Longest note kept, in characters. */
const NOTE_MAX = 500;
/** How far past a campaign's last dated row a marker may go, in days (a change made, its days not exported yet). */
const DAYS_AFTER_LAST = 365;

/** A marker as pages, the API and the command line show it. */
export interface ChangeMarker {
  id: number;
  datasetId: number;
  campaign: string;
  /** ISO date: the first day of the after period. */
  date: string;
  /** What changed ("" when none was given). */
  note: string;
  /** ISO timestamp (UTC) of when it was saved. */
  createdAt: string;
}

const campaignName = z.string().trim().min(1, "must not be empty").max(500, "is too long");

/** A new marker: the campaign, the date the change took effect, and an optional note (trimmed, up to 500 characters). */
export const changeInputSchema = z.object({
  campaign: campaignName,
  date: isoDate("date"),
  note: z.string().trim().max(NOTE_MAX, `note must be at most ${NOTE_MAX} characters`).default(""),
});

/** Query of the list: one campaign's markers, or all of the dataset's. */
export const changesQuerySchema = z.object({ campaign: campaignName.optional() });

function toDto(r: ChangeMarkerRow): ChangeMarker {
  return { id: r.id, datasetId: r.datasetId, campaign: r.campaign, date: r.date, note: r.note, createdAt: r.createdAt };
}

/** The ISO date `days` days after an ISO date. @example addDays("2026-03-01", 365) // "2027-03-01" */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function requireDataset(datasetId: number): void {
  if (getDatasetRow(getDb(), datasetId)?.status !== "ready") throw new AppError("not_found", `No dataset with id ${datasetId}.`);
}

/**
 * Saves a change marker. Refused when the dataset or the campaign does not exist (not_found), the campaign has no
 * dated rows, or the date is before its first dated row or more than a year after its last (invalid_body).
 * @param input - unvalidated: parsed here with changeInputSchema.
 */
export async function addChange(datasetId: number, input: unknown): Promise<ChangeMarker> {
  const parsed = changeInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError("invalid_body", formatZodError(parsed.error));
  const { campaign, date, note } = parsed.data;
  requireDataset(datasetId);
  const db = getDb();
  const shown = campaign.slice(0, 80);
  if (!campaignExists(db, datasetId, campaign)) throw new AppError("not_found", `No campaign "${shown}" in dataset ${datasetId}.`);
  const range = campaignDateRange(db, datasetId, campaign);
  if (range === null) throw new AppError("invalid_body", `Campaign "${shown}" has no dates: a change date cannot split it.`);
  const latest = addDays(range.last, DAYS_AFTER_LAST);
  if (date < range.first || date > latest) {
    throw new AppError(
      "invalid_body",
      `date must be between the campaign's first day, ${range.first}, and a year after its last day (${range.last}): ${latest}; got ${date}.`,
    );
  }
  return toDto(await withWriteTurn(db, () => insertChangeMarker(db, { datasetId, campaign, date, note })));
}

/** A dataset's markers (one campaign's when given), by campaign then date. not_found without the dataset. */
export function listChanges(datasetId: number, campaign?: string): ChangeMarker[] {
  requireDataset(datasetId);
  return listChangeMarkers(getDb(), datasetId, campaign).map(toDto);
}

/** Removes a marker; not_found when the dataset has no marker of that id. */
export async function removeChange(datasetId: number, changeId: number): Promise<void> {
  requireDataset(datasetId);
  const db = getDb();
  const gone = await withWriteTurn(db, () => deleteChangeMarker(db, datasetId, changeId));
  if (!gone) throw new AppError("not_found", `Dataset ${datasetId} has no change marker ${changeId}.`);
}
