import { listDatasets } from "@/lib/ingest/datasets";
import { handleError } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets — every imported dataset, newest first. */
export async function GET(): Promise<Response> {
  try {
    return Response.json({ datasets: listDatasets() });
  } catch (e) {
    return handleError(e, "GET /api/datasets");
  }
}
