import { analysisQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/lib/server/http";
import { runTask } from "@/lib/server/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets/:id/analysis?horizon=week&budget=500 — per-campaign figures, forecasts, calibration, pooling. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const q = readQuery(request.url, analysisQuerySchema);
    // In a worker thread (lib/server/pool.ts): time limit, cancelled when the client goes away.
    return Response.json(await runTask("analysis", { datasetId: id, q }, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/analysis");
  }
}
