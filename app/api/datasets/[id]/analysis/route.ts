import { getDb } from "@/db/client";
import { analysisSummary, analyzeDataset } from "@/lib/analysis/dataset";
import { analysisPartQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/lib/server/http";

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
    const db = getDb();
    return Response.json(part === "summary" ? analysisSummary(db, id, q) : analyzeDataset(db, id, q));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/analysis");
  }
}
