import { modelSpecSchema } from "@/lib/engine/contract";
import { handleError, readJson } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/model/distribution — the model contract's request (the same validation as POST /api/model), answered
 * with its distribution for a chart: about 70 bins between the 0.1% and 99.9% quantiles (x = bin centre, p = the
 * bin's probability; the bins hold all but ~0.2% of the mass), the lattice step, grid size and method.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const spec = await readJson(request, modelSpecSchema);
    return Response.json(await runTask("modelHistogram", spec, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "POST /api/model/distribution");
  }
}
