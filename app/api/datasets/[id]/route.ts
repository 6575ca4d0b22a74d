import { getDataset } from "@/lib/ingest/datasets";
import { deleteDataset } from "@/lib/ingest/service";
import { errorResponse, handleError, parseId } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id — the dataset with its import summary. */
export async function GET(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const ds = getDataset(id);
    if (!ds) return errorResponse("not_found", `No dataset with id ${id}.`);
    return Response.json(ds);
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id");
  }
}

/**
 * DELETE /api/datasets/:id — removes the dataset, its rows and its rejected rows, and its stored bytes unless another
 * dataset uses them. During an import it waits its turn (the server keeps serving); 503 with Retry-After when the
 * database stays busy.
 */
export async function DELETE(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const gone = await deleteDataset(id);
    if (!gone) return errorResponse("not_found", `No dataset with id ${id}.`);
    return Response.json({ deleted: id });
  } catch (e) {
    return handleError(e, "DELETE /api/datasets/:id");
  }
}
