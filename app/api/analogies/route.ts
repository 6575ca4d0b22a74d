import { getDb } from "@/db/client";
import { analogies } from "@/lib/analysis/analogies";
import { handleError } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/analogies — the four before/after panels (latency, pooling, coins, collar) with their figures. */
export async function GET(): Promise<Response> {
  try {
    return Response.json(analogies(getDb()));
  } catch (e) {
    return handleError(e, "GET /api/analogies");
  }
}
