import { cachedModel } from "@/lib/analysis/model-cache";
import { modelSpecSchema } from "@/lib/engine/contract";
import { handleError, readJson } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/model — the model contract (DESIGN.md): a frequency and a severity in, the risk figures out (cached by
 * request, see lib/analysis/model-cache.ts). */
export async function POST(request: Request): Promise<Response> {
  try {
    const spec = await readJson(request, modelSpecSchema);
    return Response.json(cachedModel(spec));
  } catch (e) {
    return handleError(e, "POST /api/model");
  }
}
