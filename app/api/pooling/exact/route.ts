import { poolingExactBodySchema, poolingExactQuerySchema } from "@/lib/analysis/pooling";
import { handleError, readJson, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/pooling/exact?datasetId=1&campaign=...&horizon=week&rho=0.1 — the CV of exact lattices at k = 1, 3, 10,
 * 30, 100, 300 and 1000 for the pooling lab's CV chart (the dots on the closed-form line). Asked for apart from
 * GET /api/pooling so that a slider move waits for one lattice only.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const q = readQuery(request.url, poolingExactQuerySchema);
    return Response.json(await runTask("poolingExactForCampaign", q, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/pooling/exact");
  }
}

/** POST /api/pooling/exact — the same for a model: `{ frequency, severity, rho }`. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readJson(request, poolingExactBodySchema);
    return Response.json(await runTask("poolingExactForModel", body, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "POST /api/pooling/exact");
  }
}
