import { z } from "zod";
import { getProgress } from "@/lib/ingest/progress";
import { errorResponse, handleError, readQuery } from "@/lib/server/http";
import { tokenSchema } from "@/lib/server/schemas";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const querySchema = z.object({ token: tokenSchema });

/** GET /api/uploads/progress?token=… — bytes received and rows imported so far, for a progress bar. */
export async function GET(request: Request): Promise<Response> {
  try {
    const { token } = readQuery(request.url, querySchema);
    const p = getProgress(token);
    if (!p) return errorResponse("not_found", "No upload in progress with that token.");
    return Response.json(p, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return handleError(e, "GET /api/uploads/progress");
  }
}
