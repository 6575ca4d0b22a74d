import { addChange, changeInputSchema, changesQuerySchema, listChanges } from "@/lib/analysis/changes";
import { handleError, parseId, readJson, readQuery } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id/changes?campaign=C — the dataset's change markers (one campaign's with `campaign`), by campaign then date. */
export async function GET(request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const q = readQuery(request.url, changesQuerySchema);
    return Response.json({ datasetId: id, changes: listChanges(id, q.campaign) });
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/changes");
  }
}

/**
 * POST /api/datasets/:id/changes — saves a change marker from `{ campaign, date, note? }`: 201 with the marker. 400
 * `invalid_json` / `invalid_body` (a date outside the campaign's dated rows and the year after them, a note over 500
 * characters), 404 for an unknown dataset or campaign.
 */
export async function POST(request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const body = await readJson(request, changeInputSchema);
    return Response.json(await addChange(id, body), { status: 201 });
  } catch (e) {
    return handleError(e, "POST /api/datasets/:id/changes");
  }
}
