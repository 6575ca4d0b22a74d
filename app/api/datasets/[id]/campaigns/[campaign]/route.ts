import { analysisQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string; campaign: string }> };

/**
 * GET /api/datasets/:id/campaigns/:campaign?horizon=week&budget=500 — one campaign: its figures, the daily series
 * with the band the model expected, the outcome distributions, plain sentences and the coin comparison.
 * The campaign name is URL-encoded in the path (encodeURIComponent).
 */
export async function GET(request: Request, { params }: Ctx): Promise<Response> {
  try {
    const p = await params;
    const id = parseId(p.id);
    const q = readQuery(request.url, analysisQuerySchema);
    return Response.json(await runTask("campaign", { datasetId: id, campaign: p.campaign, q }, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/campaigns/:campaign");
  }
}
