import { z } from "zod";
import { AppError } from "@/lib/errors";
import { errorResponse, handleError, parseId, readQuery } from "@/app/api/_lib/http";
import { checkUploadContentType } from "@/app/api/_lib/content-type";
import { formatSize } from "@/lib/format";
import { fileNameSchema } from "@/lib/ingest/schemas";
import { addLagReport, lagReportOf, LAG_REPORT_MAX_BYTES, removeLagReport } from "@/lib/ingest/lag-report-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

const querySchema = z.object({ fileName: fileNameSchema.default("lag-report.csv") });

/**
 * POST /api/datasets/:id/lag-report — the body is a time-lag report (Google Ads "Days to conversion" or a plain
 * days,conversions CSV), at most 5 MB, with the content types the upload route allows. Answers 201 with the buckets
 * read, the rows that could not be read (with reasons) and the fit; the dataset's earlier report is replaced.
 */
export async function POST(request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const q = readQuery(request.url, querySchema);
    checkUploadContentType(request.headers.get("content-type"));
    const declared = Number(request.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > LAG_REPORT_MAX_BYTES) {
      return errorResponse("too_large", `This file is ${formatSize(declared, "MB", 1)}; a time-lag report may be at most ${formatSize(LAG_REPORT_MAX_BYTES, "MB", 0)}.`);
    }
    if (!request.body) throw new AppError("empty_file", "The upload was empty: choose a Days-to-conversion report to upload.");
    const answer = await addLagReport(request.body, { datasetId: id, fileName: q.fileName });
    return Response.json(answer, { status: 201 });
  } catch (e) {
    return handleError(e, "POST /api/datasets/:id/lag-report");
  }
}

/** GET /api/datasets/:id/lag-report — the stored report (file name, buckets, rejected rows), 404 when there is none. */
export async function GET(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    const report = lagReportOf(id);
    if (!report) return errorResponse("not_found", `Dataset ${id} has no time-lag report.`);
    return Response.json({ datasetId: id, report });
  } catch (e) {
    return handleError(e, "GET /api/datasets/:id/lag-report");
  }
}

/** DELETE /api/datasets/:id/lag-report — removes the report: the curve goes back to the exports or the default. */
export async function DELETE(_request: Request, { params }: Ctx): Promise<Response> {
  try {
    const id = parseId((await params).id);
    return Response.json(await removeLagReport(id));
  } catch (e) {
    return handleError(e, "DELETE /api/datasets/:id/lag-report");
  }
}
