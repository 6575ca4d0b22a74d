import { compareQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/datasets/:id/compare?campaign=C&changeDate=YYYY-MM-DD&lag=&asOf=&source= — did a change work? The campaign before
 * and after the date, its young days read by the conversions arrived (`lag`, `asOf`: as for the analysis): the same
 * JSON as `npm run -s cli -- compare <id> --campaign C --change-date D --json`.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const q = readQuery(request.url, compareQuerySchema);
    return Response.json(await runTask("compare", { datasetId: id, q }, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/compare");
  }
}
