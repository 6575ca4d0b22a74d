import { datasetUploads } from "@/lib/ingest/datasets";
import { errorResponse, handleError, parseId } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id/uploads — the files imported into the dataset, newest first, with what each changed. */
export async function GET(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const uploads = datasetUploads(id);
    if (!uploads) return errorResponse("not_found", `No dataset with id ${id}.`);
    return Response.json({ datasetId: id, uploads });
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/uploads");
  }
}
