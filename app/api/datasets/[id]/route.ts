import { getDb } from "@/db/client";
import { deleteDataset, getDataset } from "@/db/queries";
import { errorResponse, handleError, parseId } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/datasets/:id — the dataset with its import summary. */
export async function GET(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const ds = getDataset(getDb(), id);
    if (!ds) return errorResponse("not_found", `No dataset with id ${id}.`);
    return Response.json(ds);
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id");
  }
}

/** DELETE /api/datasets/:id — removes the dataset, its rows and its rejected rows. */
export async function DELETE(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const gone = deleteDataset(getDb(), id);
    if (!gone) return errorResponse("not_found", `No dataset with id ${id}.`);
    return Response.json({ deleted: id });
  } catch (e) {
    return handleError(e, "DELETE /api/datasets/:id");
  }
}
