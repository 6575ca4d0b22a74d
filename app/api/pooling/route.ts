import { poolingBodySchema, poolingQuerySchema } from "@/lib/analysis/pooling";
import { handleError, readJson, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/pooling?datasetId=1&campaign=Brand%20Search&horizon=week&k=20&rho=0.1&fee=5&target=10 — the pooling lab
 * for a dataset's campaign (the median campaign when `campaign` is absent; the dataset's estimated rho when `rho`
 * is absent). k: pool size 1-1000; fee: percent of revenue the pool operator keeps (0-50); target: CV target of the
 * sentence in percent.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const q = readQuery(request.url, poolingQuerySchema);
    return Response.json(await runTask("poolingForCampaign", q, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/pooling");
  }
}

/** POST /api/pooling — the same for a model: `{ frequency, severity, k, rho, fee, target }` (contract shapes). */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readJson(request, poolingBodySchema);
    return Response.json(await runTask("poolingForModel", body, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "POST /api/pooling");
  }
}
