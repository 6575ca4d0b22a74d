import { getDb } from "@/db/client";
import { listDatasets } from "@/db/queries";
import { handleError } from "@/app/api/_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets — every imported dataset, newest first. */
export async function GET(): Promise<Response> {
  try {
    return Response.json({ datasets: listDatasets(getDb()) });
  } catch (e) {
    return handleError(e, "GET /api/datasets");
  }
}
