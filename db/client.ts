import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS_DIR = path.join(process.cwd(), "drizzle");

/**
 * How long a statement on a shared connection may wait for another connection's write lock, in ms. Kept short:
 * better-sqlite3 waits synchronously, which stops the whole server; longer waits are taken asynchronously by
 * `withWriteTurn` (lib/ingest) and by the importer, between short attempts.
 */
export const BUSY_TIMEOUT_MS = 100;
/** The write-ahead log is truncated back to this size after a checkpoint (bytes): it never stays huge. */
export const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/** A setting that cannot be used: the start (and the CLI) stops with this message, which names the setting. */
export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingError";
  }
}

/** Pseudo file systems a database can never live on (recursive mkdir under /proc does not even return). */
const VIRTUAL_ROOTS = ["/proc", "/sys", "/dev"];

/**
 * Makes sure the folder of the database file exists (creating the missing folders one by one, never recursively
 * in one call) or throws a SettingError naming DATABASE_PATH and saying what is wrong with it.
 */
export function ensureDatabaseFolder(file: string): void {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const fail = (why: string) =>
    new SettingError(`DATABASE_PATH=${file} cannot be used: ${why}. Set DATABASE_PATH to a file in a writable folder.`);
  if (VIRTUAL_ROOTS.some((r) => dir === r || dir.startsWith(r + path.sep))) {
    throw fail(`${VIRTUAL_ROOTS.find((r) => dir === r || dir.startsWith(r + path.sep))} is a system folder, not storage`);
  }
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(at);
    } catch (e) {
      // ENOTDIR: a folder on the way is a file; the walk up finds it and says so
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw fail(`${at} cannot be read (${code})`);
    }
    if (st) {
      if (!st.isDirectory()) throw fail(`${at} is a file, not a folder`);
      break;
    }
    missing.unshift(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw fail(`the folder ${d} cannot be created (${code})`);
    }
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw fail(`the folder ${dir} is not writable`);
  }
  try {
    if (fs.statSync(abs).isDirectory()) throw fail(`${abs} is a folder, not a database file`);
  } catch (e) {
    if (e instanceof SettingError) throw e;
  }
}

/**
 * Opens (creating if needed) a SQLite database, sets WAL (with a bounded log), a short busy timeout, foreign keys
 * and applies the committed migrations. `":memory:"` gives a private in-memory database (tests). A file that
 * cannot be created or opened throws a SettingError naming DATABASE_PATH.
 */
export function openDatabase(file: string, migrationsFolder = MIGRATIONS_DIR): Db {
  let sqlite: Database.Database;
  if (file === ":memory:") {
    sqlite = new Database(file);
  } else {
    ensureDatabaseFolder(file);
    try {
      sqlite = new Database(file);
      sqlite.pragma("journal_mode = WAL");
    } catch (e) {
      throw new SettingError(
        `DATABASE_PATH=${file} cannot be opened as a database (${(e as { code?: string }).code ?? "error"}). ` +
          "Set DATABASE_PATH to a new file, or to a noisefloor database, in a writable folder.",
      );
    }
  }
  configureConnection(sqlite);
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle(sqlite, { schema }) as Db;
  // Migrations can wait longer than a request's statement: nothing is being served yet.
  sqlite.pragma("busy_timeout = 10000");
  migrate(db, { migrationsFolder });
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

/** Pragmas every connection to the database file takes (the app's and the importer's own). */
export function configureConnection(sqlite: Database.Database): void {
  if (!sqlite.memory) sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
}

/**
 * Copies the write-ahead log into the database and truncates it (after a big import, at start). Never waits for
 * readers: what a reader still needs stays in the log until the next checkpoint. Returns SQLite's answer.
 */
export function checkpoint(sqlite: Database.Database): { busy: number; log: number; checkpointed: number } {
  if (sqlite.memory) return { busy: 0, log: 0, checkpointed: 0 };
  const row = sqlite.pragma("wal_checkpoint(TRUNCATE)", { simple: false }) as { busy: number; log: number; checkpointed: number }[];
  return row[0] ?? { busy: 0, log: 0, checkpointed: 0 };
}

/** True for SQLite's "another connection holds the lock" errors. */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

const globalForDb = globalThis as unknown as { noisefloorDb?: Db; noisefloorDbPath?: string };

/** The process-wide database at DATABASE_PATH (kept on globalThis so dev hot reload reuses it). */
export function getDb(): Db {
  if (!globalForDb.noisefloorDb || globalForDb.noisefloorDbPath !== env.DATABASE_PATH) {
    globalForDb.noisefloorDb = openDatabase(env.DATABASE_PATH);
    globalForDb.noisefloorDbPath = env.DATABASE_PATH;
  }
  return globalForDb.noisefloorDb;
}

/** Directory holding the original bytes of every upload, named by their SHA-256. */
export function uploadsDir(databasePath: string): string {
  return databasePath === ":memory:"
    ? path.join(process.cwd(), "data", "uploads")
    : path.join(path.dirname(path.resolve(databasePath)), "uploads");
}

/** Closes the process-wide database, if open (the command line and the start script, before they exit). */
export function closeDb(): void {
  const db = globalForDb.noisefloorDb;
  globalForDb.noisefloorDb = undefined;
  globalForDb.noisefloorDbPath = undefined;
  db?.$client.close();
}
