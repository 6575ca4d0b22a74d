import { collarBodySchema, collarQuerySchema } from "@/lib/analysis/collar";
import { handleError, readJson, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/collar?datasetId=1&campaign=...&horizon=week&outcome=revenue&floor=400&cap=900&zeroCost=1&coin=BTC — the
 * collar desk for a dataset's campaign (the median campaign when absent). floor defaults to the outcome's 10%
 * quantile; with zeroCost on (the default) the cap is solved so the collar costs nothing and `cap` is ignored.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const q = readQuery(request.url, collarQuerySchema);
    return Response.json(await runTask("collarForCampaign", q, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/collar");
  }
}

/** POST /api/collar — the same for a model: `{ frequency, severity, floor, cap, zeroCost, coin, horizonDays }`. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readJson(request, collarBodySchema);
    return Response.json(await runTask("collarForModel", body, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "POST /api/collar");
  }
}
