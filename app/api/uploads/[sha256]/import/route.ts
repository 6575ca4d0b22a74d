import { z } from "zod";
import { handleError, readJson } from "@/app/api/_lib/http";
import { currencySchema, datasetNameSchema, fileNameSchema, mappingSchema, tokenSchema } from "@/lib/ingest/schemas";
import { importStoredUpload } from "@/lib/ingest/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const bodySchema = z
  .object({
    fileName: fileNameSchema,
    name: datasetNameSchema.optional(),
    mapping: mappingSchema.optional(),
    token: tokenSchema.optional(),
    /** ISO 4217 code for a file that names no currency (400 when the file names another). */
    currency: currencySchema.optional(),
    /** Import into this existing dataset (a newer export of the same account); 404 when there is none. */
    datasetId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/** POST /api/uploads/:sha256/import — import an upload stored by a preview, with the mapping the user confirmed. */
export async function POST(request: Request, { params }: { params: Promise<{ sha256: string }> }): Promise<Response> {
  try {
    const { sha256 } = await params;
    const body = await readJson(request, bodySchema);
    const summary = await importStoredUpload(sha256, {
      fileName: body.fileName,
      name: body.name,
      mapping: body.mapping,
      token: body.token,
      currency: body.currency,
      intoDatasetId: body.datasetId,
    });
    return Response.json(summary, { status: summary.existing ? 200 : 201 });
  } catch (e) {
    return handleError(e, "POST /api/uploads/:sha256/import");
  }
}
