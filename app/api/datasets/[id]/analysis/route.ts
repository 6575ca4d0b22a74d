import { analysisPartQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/datasets/:id/analysis?horizon=week&budget=500&part=summary|full — per-campaign figures, forecasts and
 * verdicts (part=summary, served first: no rolling calibration, correlation or pooling summary), or everything
 * (part=full, the default: calibration, correlation, pooling).
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const { part, ...q } = readQuery(request.url, analysisPartQuerySchema);
    // In a worker thread (lib/jobs/pool.ts): time limit, cancelled when the client goes away.
    const task = part === "summary" ? "analysisSummary" : "analysis";
    return Response.json(await runTask(task, { datasetId: id, q }, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/analysis");
  }
}
