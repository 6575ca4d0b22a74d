import { handleError } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/analogies — the four before/after panels (latency, pooling, coins, collar) with their figures. */
export async function GET(request?: Request): Promise<Response> {
  try {
    return Response.json(await runTask("analogies", undefined, { signal: request?.signal }));
  } catch (e) {
    return handleError(e, "GET /api/analogies");
  }
}
