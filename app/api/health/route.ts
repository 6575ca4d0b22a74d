import { poolStats } from "@/lib/jobs/pool";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/health — answers from the request thread without touching the database or the workers, so it stays
 * quick while they are busy: `{ ok: true, pool: { inFlight, threads } }` (heavy tasks running or waiting, and worker
 * threads alive).
 */
export function GET(): Response {
  return Response.json({ ok: true, pool: poolStats() }, { headers: { "Cache-Control": "no-store" } });
}
