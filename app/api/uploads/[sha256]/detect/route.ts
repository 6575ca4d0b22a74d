import { z } from "zod";
import { detectFile } from "@/lib/ingest/detect";
import { handleError, readJson } from "@/app/api/_lib/http";
import { fileNameSchema, mappingSchema } from "@/lib/ingest/schemas";
import { storedUpload } from "@/lib/ingest/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const bodySchema = z.object({ fileName: fileNameSchema, mapping: mappingSchema.optional() }).strict();

/** POST /api/uploads/:sha256/detect — detect a stored upload again with the user's mapping (for the preview). */
export async function POST(request: Request, { params }: { params: Promise<{ sha256: string }> }): Promise<Response> {
  try {
    const { sha256 } = await params;
    const body = await readJson(request, bodySchema);
    const file = storedUpload(sha256);
    const detection = await detectFile(file, { fileName: body.fileName, mapping: body.mapping, sha256 });
    return Response.json({ detection });
  } catch (e) {
    return handleError(e, "POST /api/uploads/:sha256/detect");
  }
}
