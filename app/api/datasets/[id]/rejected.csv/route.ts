import { rejectedCsv } from "@/lib/ingest/datasets";
import { errorResponse, handleError, parseId } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets/:id/rejected.csv — every row that was not imported: line, reason and the raw text. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const found = rejectedCsv(id);
    if (!found) return errorResponse("not_found", `No dataset with id ${id}.`);
    return new Response(found.csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${found.fileName}"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/rejected.csv");
  }
}
