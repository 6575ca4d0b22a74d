import type { ImportProgress } from "@/lib/types/ingest";

/**
 * Progress of uploads and imports, keyed by the token the browser sends with the upload and polls with. In memory
 * (on globalThis, so development hot reload keeps it); an entry expires a few minutes after its last update.
 */
export const PROGRESS_TTL_MS = 5 * 60 * 1000;

interface Entry {
  progress: ImportProgress;
  expiresAt: number;
}

const holder = globalThis as unknown as { noisefloorProgress?: Map<string, Entry> };
const entries = (): Map<string, Entry> => (holder.noisefloorProgress ??= new Map());

/** Drops expired entries (called on every write, so the map never outgrows the uploads of the last few minutes). */
function sweep(now: number): void {
  for (const [token, e] of entries()) if (e.expiresAt <= now) entries().delete(token);
}

/** Records the latest progress for a token. `now` is injectable for tests. */
export function setProgress(token: string, progress: ImportProgress, now: number = Date.now()): void {
  sweep(now);
  entries().set(token, { progress: { ...progress }, expiresAt: now + PROGRESS_TTL_MS });
}

/** The latest progress for a token, or undefined when unknown or expired. */
export function getProgress(token: string, now: number = Date.now()): ImportProgress | undefined {
  const e = entries().get(token);
  if (!e) return undefined;
  if (e.expiresAt <= now) {
    entries().delete(token);
    return undefined;
  }
  return { ...e.progress };
}

export function clearProgress(token: string): void {
  entries().delete(token);
}
