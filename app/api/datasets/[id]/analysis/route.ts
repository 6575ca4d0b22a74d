import { getDb } from "@/db/client";
import { analyzeDataset } from "@/lib/analysis/dataset";
import { analysisQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets/:id/analysis?horizon=week&budget=500 — per-campaign figures, forecasts, calibration, pooling. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const q = readQuery(request.url, analysisQuerySchema);
    return Response.json(analyzeDataset(getDb(), id, q));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/analysis");
  }
}
