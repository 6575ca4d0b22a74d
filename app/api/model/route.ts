import { modelSpecSchema } from "@/lib/engine/contract";
import { handleError, readJson } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/model — the model contract (DESIGN.md): a frequency and a severity in, the risk figures out (cached by
 * request, see lib/analysis/model-cache.ts). */
export async function POST(request: Request): Promise<Response> {
  try {
    const spec = await readJson(request, modelSpecSchema);
    // In a worker thread (its cache lives there): a large model never holds up other requests.
    return Response.json(await runTask("model", spec, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "POST /api/model");
  }
}
