import { modelSpecSchema, runModel } from "@/lib/engine/contract";
import { handleError, readJson } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/model — the model contract (DESIGN.md): a frequency and a severity in, the risk figures out. */
export async function POST(request: Request): Promise<Response> {
  try {
    const spec = await readJson(request, modelSpecSchema);
    return Response.json(runModel(spec));
  } catch (e) {
    return handleError(e, "POST /api/model");
  }
}
