import { COIN_UPLOAD_MAX_BYTES, coinUploadSchema } from "@/lib/analysis/analogies";
import { AppError } from "@/lib/errors";
import { handleError } from "@/app/api/_lib/http";
import { runTask } from "@/lib/jobs/pool";
import { formatZodError } from "@/lib/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Room for the JSON envelope and escaping around the CSV text. */
const BODY_LIMIT = Math.ceil(COIN_UPLOAD_MAX_BYTES * 1.1) + 4096;
const TOO_LARGE = "The price file is larger than 5 MB.";

/** The body as text, refusing it as soon as it passes `limit` bytes (declared or streamed). */
async function readCappedText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("too_large", TOO_LARGE);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("too_large", TOO_LARGE);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * POST /api/analogies/coin — `{ csv, name?, role: "coin" | "stable", other? }`: a Yahoo-format daily price CSV (at most
 * 5 MB) turned into panel c's series (daily log-return histogram, sd, annualized volatility, 1% quantile), and panel c
 * rebuilt with it beside `other` (the series kept on the other side; the reference BTC or USDC when absent).
 * Errors as `{ error: { code, message } }`: 413 too_large, 400 invalid_json / invalid_body, 422
 * unrecognised_format / no_valid_rows.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const text = await readCappedText(request, BODY_LIMIT);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AppError("invalid_json", "The request body is not valid JSON.");
    }
    const parsed = coinUploadSchema.safeParse(raw);
    if (!parsed.success) {
      if (parsed.error.issues.some((i) => i.code === "too_big" && i.path[0] === "csv")) throw new AppError("too_large", TOO_LARGE);
      throw new AppError("invalid_body", formatZodError(parsed.error));
    }
    return Response.json(await runTask("coinUpload", parsed.data, { signal: request.signal }));
  } catch (e) {
    return handleError(e, "POST /api/analogies/coin");
  }
}
