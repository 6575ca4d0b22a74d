import { z } from "zod";
import { getProgress } from "@/lib/ingest/progress";
import { handleError, readQuery } from "@/app/api/_lib/http";
import { tokenSchema } from "@/lib/ingest/schemas";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const querySchema = z.object({ token: tokenSchema });

/**
 * GET /api/uploads/progress?token=… — bytes received and rows imported so far, for a progress bar. A token with no
 * upload under way answers 204: the page starts asking before the upload's first bytes arrive, and after it ends.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const { token } = readQuery(request.url, querySchema);
    const p = getProgress(token);
    if (!p) return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
    return Response.json(p, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return handleError(e, "GET /api/uploads/progress");
  }
}
