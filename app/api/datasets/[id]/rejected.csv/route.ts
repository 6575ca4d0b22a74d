import { getDb } from "@/db/client";
import { getDatasetRow } from "@/db/queries";
import { rejectedRowsCsv } from "@/lib/ingest/rejected";
import { errorResponse, handleError, parseId } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets/:id/rejected.csv — every row that was not imported: line, reason and the raw text. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const db = getDb();
    const ds = getDatasetRow(db, id);
    if (!ds) return errorResponse("not_found", `No dataset with id ${id}.`);
    const csv = rejectedRowsCsv(db, id);
    const safeName = ds.fileName.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/\.[A-Za-z0-9]+$/, "");
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${safeName}-rejected-rows.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/rejected.csv");
  }
}
