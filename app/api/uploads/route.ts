import { z } from "zod";
import { env, uploadMaxBytes } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { errorResponse, handleError, readQuery } from "@/app/api/_lib/http";
import { currencySchema, datasetNameSchema, fileNameSchema, mappingParamSchema, tokenSchema } from "@/lib/ingest/schemas";
import { importReceived, receiveUploadBody } from "@/lib/ingest/service";
import { checkUploadContentType } from "@/app/api/_lib/content-type";
import { formatSize } from "@/lib/format";
import { parseDatasetId } from "@/lib/id";
import { guarded } from "@/app/api/_lib/guard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const querySchema = z.object({
  fileName: fileNameSchema.default("upload.csv"),
  name: datasetNameSchema.optional(),
  mapping: mappingParamSchema.optional(),
  token: tokenSchema.optional(),
  /** ISO 4217 code for a file that names no currency (400 when the file names another). */
  currency: currencySchema.optional(),
  /** Import into this existing dataset (a newer export of the same account); 404 when there is none. */
  datasetId: z
    .string()
    .transform((v, ctx) => {
      const id = parseDatasetId(v);
      if (id === null) ctx.addIssue({ code: "custom", message: "datasetId must be a dataset id (a positive whole number)." });
      return id ?? 0;
    })
    .optional(),
  /** "1": store and detect only, so the user can check the mapping before importing. */
  preview: z.enum(["0", "1"]).default("0"),
});

/**
 * POST /api/uploads — the file's bytes are the request body (streamed, never held whole in memory).
 * With `preview=1` answers the detection (format, mapping, first rows); otherwise imports and answers the summary
 * (201 for a new dataset, 200 when the same bytes were imported before). With `datasetId` the file is added to that
 * dataset (lib/ingest/grow.ts: the newest upload wins on each date, campaign and segment) and the summary's `upload`
 * says what it changed.
 */
async function upload(request: Request): Promise<Response> {
  try {
    const q = readQuery(request.url, querySchema);
    checkUploadContentType(request.headers.get("content-type"));
    const maxBytes = uploadMaxBytes();
    const declared = Number(request.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > maxBytes) {
      return errorResponse(
        "too_large",
        `This file is ${formatSize(declared, "MB", 1)}; the limit is ${env.UPLOAD_MAX_MB} MB. Split it by date range and upload the parts.`,
      );
    }
    if (!request.body) throw new AppError("empty_file", "The upload was empty: choose a CSV export to upload.");
    const received = await receiveUploadBody(request.body, {
      fileName: q.fileName,
      maxBytes,
      token: q.token,
      bytesTotal: Number.isFinite(declared) ? declared : undefined,
      mapping: q.mapping,
    });
    if (q.preview === "1") return Response.json({ detection: received.detection });
    const summary = await importReceived({
      path: received.path,
      sha256: received.detection.sha256,
      fileName: q.fileName,
      sizeBytes: received.sizeBytes,
      name: q.name,
      mapping: q.mapping,
      token: q.token,
      currency: q.currency,
      intoDatasetId: q.datasetId,
    });
    // 201 for a new dataset or a new upload into one; 200 when these bytes were already there
    return Response.json(summary, { status: summary.existing ? 200 : 201 });
  } catch (e) {
    return handleError(e, "POST /api/uploads");
  }
}

/** Not behind proxy.ts (which would buffer and cut the body at 10 MB): the same checks run here (app/api/_lib/guard.ts). */
export const POST = guarded(upload);
