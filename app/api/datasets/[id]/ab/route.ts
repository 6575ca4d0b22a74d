import { abQuerySchema } from "@/lib/analysis/schemas";
import { handleError, parseId, readQuery } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/datasets/:id/ab?a=A&b=B[&campaign=C][&source=S] — campaign B against campaign A (with campaign: two of its
 * segments): the same JSON as `npm run -s cli -- ab <id> --a A --b B [--campaign C] --json`.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const q = readQuery(request.url, abQuerySchema);
    return Response.json(await runTask("ab", { datasetId: id, q }, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/ab");
  }
}
