import { parseArgs } from "node:util";
import { addChange, listChanges, removeChange, type ChangeMarker } from "@/lib/analysis/changes";
import { compareQuerySchema } from "@/lib/analysis/schemas";
import { AppError } from "@/lib/errors";
import { parseDatasetId } from "@/lib/id";

/*
 * Change markers: `change` saves one (and prints "Did it work?" for it) or removes one, `changes` lists them. The
 * same JSON as GET/POST /api/datasets/:id/changes with --json. Only `change` (saving) loads the engine, to answer.
 */

const CHANGE_USAGE =
  'change takes a dataset id: change <id> --campaign C --date YYYY-MM-DD [--note "new ads"] [--lag q@d|off] [--as-of YYYY-MM-DD] [--json], or change <id> --remove <markerId>';

function markerLine(m: ChangeMarker): string {
  return `${String(m.id).padStart(4)}  ${m.date}  ${m.campaign}${m.note ? `  "${m.note}"` : ""}`;
}

/** `change <id> --campaign C --date D [--note N] [--json]` or `change <id> --remove <markerId>`. */
export async function runChangeCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      campaign: { type: "string" },
      date: { type: "string" },
      note: { type: "string" },
      remove: { type: "string" },
      lag: { type: "string" },
      "as-of": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const id = parseDatasetId(positionals[0]);
  if (id === null || positionals.length > 1) throw new AppError("invalid_query", CHANGE_USAGE);
  if (values.remove !== undefined) {
    const markerId = parseDatasetId(values.remove);
    if (markerId === null) throw new AppError("invalid_query", `--remove takes a change marker id (a positive whole number), got "${values.remove.slice(0, 20)}".`);
    if (values.campaign !== undefined || values.date !== undefined || values.note !== undefined) {
      throw new AppError("invalid_query", "--remove takes only the marker id: change <id> --remove <markerId>");
    }
    await removeChange(id, markerId);
    process.stdout.write(values.json ? JSON.stringify({ datasetId: id, removed: markerId }) + "\n" : `Removed change marker ${markerId} from dataset ${id}.\n`);
    return;
  }
  if (values.campaign === undefined || values.date === undefined) throw new AppError("invalid_query", CHANGE_USAGE);
  const marker = await addChange(id, { campaign: values.campaign, date: values.date, note: values.note });
  // The answer for the marker's date; a date past the campaign's last row has no after period yet: say so, keep the marker.
  const { compareChangeById } = await import("@/lib/analysis/service");
  const lagQuery = { lag: values.lag, asOf: values["as-of"] };
  let answer: unknown = null;
  let refusal: string | null = null;
  try {
    const q = compareQuerySchema.safeParse({ campaign: marker.campaign, changeDate: marker.date, ...lagQuery });
    if (!q.success) refusal = q.error.issues[0]?.message ?? "invalid lag setting";
    else answer = compareChangeById(id, q.data);
  } catch (e) {
    if (!(e instanceof AppError) || e.code === "internal") throw e;
    refusal = e.message;
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ marker, compare: answer, ...(refusal ? { compareRefused: refusal } : {}) }, null, 2) + "\n");
    return;
  }
  process.stdout.write(`Saved change marker ${marker.id}: ${marker.date} on "${marker.campaign}"${marker.note ? ` ("${marker.note}")` : ""}.\n`);
  if (refusal) process.stdout.write(`  No answer yet: ${refusal}\n`);
  else {
    const { compareText } = await import("./compare-commands");
    process.stdout.write(compareText(answer as Parameters<typeof compareText>[0]) + "\n");
  }
}

/** `changes <id> [--campaign C] [--json]`: the dataset's change markers, by campaign then date. */
export function runChangesCommand(args: string[]): void {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { campaign: { type: "string" }, json: { type: "boolean" } } });
  const id = parseDatasetId(positionals[0]);
  if (id === null || positionals.length > 1) throw new AppError("invalid_query", "changes takes a dataset id: changes <id> [--campaign C] [--json]");
  const list = listChanges(id, values.campaign?.trim() || undefined);
  if (values.json) {
    process.stdout.write(JSON.stringify({ datasetId: id, changes: list }, null, 2) + "\n");
    return;
  }
  if (list.length === 0) {
    process.stdout.write(`No change markers${values.campaign ? ` on "${values.campaign}"` : ""} in dataset ${id}. Save one: npm run -s cli -- change ${id} --campaign C --date YYYY-MM-DD --note "..."\n`);
    return;
  }
  for (const m of list) process.stdout.write(markerLine(m) + "\n");
}
