import "server-only";
import type Database from "better-sqlite3";
import { isBusyError, type Db } from "@/db/client";
import { AppError } from "@/lib/errors";

/**
 * Turns at the database's write lock for imports and other writes: imports into one file run one after another in
 * this process, and the write transaction is taken without blocking the event loop while another process holds it.
 */

/**
 * Takes the database's write lock (BEGIN IMMEDIATE) without blocking the process while another connection (another
 * import, the command line, a delete) holds it: each attempt waits at most the connection's short busy timeout,
 * and the attempts are spaced by timers, so requests keep being served. Refuses with `busy` after `waitMs`.
 */
export async function beginImmediate(conn: Database.Database, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      conn.exec("BEGIN IMMEDIATE");
      return;
    } catch (e) {
      if (!isBusyError(e)) throw e;
      if (Date.now() >= deadline) {
        throw new AppError(
          "busy",
          "The database is busy writing another import. Nothing was written; please try again in a minute.",
          { retryAfterSeconds: 30 },
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(500, 25 * 2 ** Math.min(attempt, 5))));
    }
  }
}

/**
 * Runs a write to the database (a delete, say) in its turn: after the imports this process is running into the same
 * file (awaited, so the process keeps serving), retrying while another process holds the write lock (each attempt
 * waits at most the connection's short busy timeout; the pauses between attempts are timers). Refuses with `busy`
 * (HTTP 503 with Retry-After) after `waitMs`.
 */
export function withWriteTurn<T>(db: Db, fn: () => T, waitMs = 10_000): Promise<T> {
  return withImportLock(db.$client.name, async () => {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (e) {
        if (!isBusyError(e)) throw e;
        if (Date.now() >= deadline) {
          throw new AppError("busy", "The database is busy writing an import. Nothing was changed; please try again shortly.", {
            retryAfterSeconds: 10,
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(500, 25 * 2 ** Math.min(attempt, 5))));
      }
    }
  });
}

const lockHolder = globalThis as unknown as { noisefloorImportLocks?: Map<string, Promise<unknown>> };

/** Runs imports into one database file one after another (two uploads of the same bytes then give one dataset). */
export function withImportLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const locks = (lockHolder.noisefloorImportLocks ??= new Map());
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, settled);
  void settled.then(() => {
    if (locks.get(key) === settled) locks.delete(key);
  });
  return run;
}
