import { removeDatasetUpload } from "@/lib/ingest/service";
import { errorResponse, handleError, parseId } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string; uploadId: string }> };

/**
 * DELETE /api/datasets/:id/uploads/:uploadId — removes one upload: its rows go and the rows it replaced come back,
 * so the dataset is as it was without it. 409 (`upload_conflict`) for the upload that made the dataset (delete the
 * dataset instead); 503 with Retry-After when the database stays busy.
 */
export async function DELETE(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const p = await params;
    const id = parseId(p.id);
    const uploadId = parseId(p.uploadId, "upload");
    const gone = await removeDatasetUpload(id, uploadId);
    if (!gone) return errorResponse("not_found", `Dataset ${id} has no upload ${uploadId}.`);
    return Response.json({ datasetId: id, removed: uploadId });
  } catch (e) {
    return handleError(e, "DELETE /api/datasets/:id/uploads/:uploadId");
  }
}
