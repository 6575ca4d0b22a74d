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
 * Opens (creating if needed) a SQLite database, sets WAL and a busy timeout, enables foreign keys and applies
 * the committed migrations. `":memory:"` gives a private in-memory database (tests).
 */
export function openDatabase(file: string, migrationsFolder = MIGRATIONS_DIR): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
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
