import fs from "node:fs";
import { z } from "zod";
import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { handleError, readJson } from "@/app/api/_lib/http";
import { currencySchema, datasetNameSchema, fileNameSchema, mappingSchema, tokenSchema } from "@/lib/ingest/schemas";
import { runImport, storedUploadPath } from "@/lib/ingest/uploads";

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
  })
  .strict();

/** POST /api/uploads/:sha256/import — import an upload stored by a preview, with the mapping the user confirmed. */
export async function POST(request: Request, { params }: { params: Promise<{ sha256: string }> }): Promise<Response> {
  try {
    const { sha256 } = await params;
    const body = await readJson(request, bodySchema);
    const file = storedUploadPath(env.DATABASE_PATH, sha256);
    const summary = await runImport(getDb(), {
      path: file,
      sha256,
      fileName: body.fileName,
      sizeBytes: fs.statSync(file).size,
      name: body.name,
      mapping: body.mapping,
      token: body.token,
      currency: body.currency,
    });
    return Response.json(summary, { status: summary.existing ? 200 : 201 });
  } catch (e) {
    return handleError(e, "POST /api/uploads/:sha256/import");
  }
}
