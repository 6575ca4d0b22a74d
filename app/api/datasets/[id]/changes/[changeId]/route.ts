import { removeChange } from "@/lib/analysis/changes";
import { handleError, parseId } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string; changeId: string }> };

/** DELETE /api/datasets/:id/changes/:changeId — removes one change marker; 404 when the dataset has none of that id. */
export async function DELETE(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const p = await params;
    const id = parseId(p.id);
    const changeId = parseId(p.changeId, "change marker");
    await removeChange(id, changeId);
    return Response.json({ datasetId: id, removed: changeId });
  } catch (e) {
    return handleError(e, "DELETE /api/datasets/:id/changes/:changeId");
  }
}
