import "server-only";
import type { z } from "zod";
import { AppError, HTTP_STATUS, isAppError, type ErrorCode } from "@/lib/errors";
import { parseDatasetId } from "@/lib/id";
import { formatZodError } from "@/lib/validation";

/** The one error body every route returns: `{ error: { code, message } }` (plus user-safe details). */
export function errorResponse(code: ErrorCode, message: string, details?: Record<string, unknown>): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  // `busy` and `overloaded` (503) say when to come back (RFC 9110 section 10.2.3): details.retryAfterSeconds, set by
  // the importer's write turn and by lib/jobs/pool.ts; a busy database without one waits 5 s.
  const retry = details?.retryAfterSeconds;
  if (typeof retry === "number" && Number.isFinite(retry) && retry > 0) headers["Retry-After"] = String(Math.ceil(retry));
  else if (code === "busy") headers["Retry-After"] = "5";
  return Response.json({ error: { code, message, ...(details ? { details } : {}) } }, { status: HTTP_STATUS[code], headers });
}

/**
 * Turns anything thrown in a handler into a response. AppErrors carry user-facing messages; anything else is
 * logged on the server and answered with a generic 500 (no internal message or stack reaches the client).
 */
export function handleError(e: unknown, where: string): Response {
  if (isAppError(e)) return errorResponse(e.code, e.message, e.details);
  // The client went away (request.signal aborted the work): nobody reads this answer, and nothing failed.
  if (isAbortError(e)) return new Response(null, { status: 499 });
  // another connection held the database's write lock past the short busy timeout: try again, nothing was written
  const sqliteCode = (e as { code?: unknown } | null)?.code;
  if (sqliteCode === "SQLITE_BUSY" || sqliteCode === "SQLITE_LOCKED") {
    return errorResponse("busy", "The database is busy with another write. Nothing was changed; please try again in a few seconds.", {
      retryAfterSeconds: 5,
    });
  }
  console.error(`[${where}]`, e);
  return errorResponse("internal", "Something went wrong on our side. Nothing you sent was lost; please try again.");
}

/** Reads a JSON body and validates it; throws AppError("invalid_json" | "invalid_body"). */
export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new AppError("invalid_body", formatZodError(parsed.error));
  return parsed.data;
}

/** Validates URL search params (first value of each key) against a schema; throws AppError("invalid_query"). */
export function readQuery<T extends z.ZodType>(url: string | URL, schema: T): z.infer<T> {
  const u = typeof url === "string" ? new URL(url) : url;
  const obj: Record<string, string> = {};
  for (const [k, v] of u.searchParams) if (!(k in obj)) obj[k] = v;
  const parsed = schema.safeParse(obj);
  if (!parsed.success) throw new AppError("invalid_query", formatZodError(parsed.error));
  return parsed.data;
}

/** Parses a positive integer id from a route segment; throws not_found otherwise. */
export function parseId(raw: string, what = "dataset"): number {
  const id = parseDatasetId(raw);
  if (id === null) throw new AppError("not_found", `No ${what} with id "${raw.slice(0, 40)}".`);
  return id;
}

/** Whether `e` is what an aborted AbortSignal throws (a DOMException or Error named "AbortError"). */
export function isAbortError(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AbortError";
}
