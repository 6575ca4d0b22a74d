import { handleError } from "@/app/api/_lib/http";
import { loadSample } from "@/lib/ingest/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/sample — (re)load the bundled sample dataset; the same files give the same datasets back. */
export async function POST(): Promise<Response> {
  try {
    const summaries = await loadSample();
    return Response.json({ datasets: summaries.map((s) => ({ datasetId: s.datasetId, name: s.name })) });
  } catch (e) {
    return handleError(e, "POST /api/sample");
  }
}
