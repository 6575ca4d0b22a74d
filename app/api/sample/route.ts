import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { handleError } from "@/app/api/_lib/http";
import { loadSampleData } from "@/lib/ingest/sample";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/sample — (re)load the bundled sample dataset; the same files give the same datasets back. */
export async function POST(): Promise<Response> {
  try {
    const summaries = await loadSampleData(getDb(), env.DATABASE_PATH);
    return Response.json({ datasets: summaries.map((s) => ({ datasetId: s.datasetId, name: s.name })) });
  } catch (e) {
    return handleError(e, "POST /api/sample");
  }
}
